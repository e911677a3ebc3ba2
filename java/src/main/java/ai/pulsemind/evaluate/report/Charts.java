package ai.pulsemind.evaluate.report;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.CombinedRangeCategoryPlot;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.StackedBarRenderer;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.Serial;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The chart kinds of the reports, in one style ({@link ChartStyle}): win / tie / loss bars with interval whiskers,
 * point-and-interval plots (ratings, per-department rates, public-benchmark accuracies, absolute scores), and
 * metrics over training steps with optional bands. Each returns a {@link Chart} ready for a report section.
 */
public final class Charts {
    static { Headless.ensure(); }

    private Charts() {}

    /** Default width of a chart, in CSS pixels. */
    public static final int WIDTH = 900;

    /** One stacked bar: win, tie and loss shares (fractions summing to 1) and the win rate's interval. */
    public record WtlBar(String label, double win, double tie, double loss, double winLow, double winHigh) {
        public WtlBar {
            Report.requireText(label, "bar label");
            for (double v : new double[] {win, tie, loss})
                if (!(v >= 0 && v <= 1)) throw new IllegalArgumentException("bar " + label + ": shares must be in [0, 1], got " + v);
        }
    }

    /** Bars drawn together under one heading (e.g. the dimensions against one baseline). */
    public record WtlGroup(String name, List<WtlBar> bars) {
        public WtlGroup {
            Report.requireText(name, "bar group name");
            bars = List.copyOf(bars);
            if (bars.isEmpty()) throw new IllegalArgumentException("bar group " + name + " has no bars");
        }
    }

    /**
     * Horizontal stacked win / tie / loss bars, one panel per group, on a shared 0–100% axis; a black whisker on each
     * bar spans the win rate's interval (it starts and ends around the end of the win segment).
     */
    public static Chart winTieLoss(String name, String title, String caption, List<WtlGroup> groups) {
        if (groups.isEmpty()) throw new IllegalArgumentException("chart " + name + " has no bar groups");
        NumberAxis share = percentAxis("share of judgments");
        share.setRange(0, 1);
        share.setTickUnit(new NumberTickUnit(0.1, percentFormat()));
        CombinedRangeCategoryPlot plot = new CombinedRangeCategoryPlot(share);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        plot.setRangeAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
        plot.setGap(14);
        List<CategoryPlot> subs = new ArrayList<>();
        int bars = 0;
        for (WtlGroup g : groups) {
            DefaultCategoryDataset ds = new DefaultCategoryDataset(), ci = new DefaultCategoryDataset();
            double[][] lo = new double[1][g.bars().size()], hi = new double[1][g.bars().size()];
            for (int i = 0; i < g.bars().size(); i++) {
                WtlBar b = g.bars().get(i);
                ds.addValue(b.win(), "win", b.label());
                ds.addValue(b.tie(), "tie", b.label());
                ds.addValue(b.loss(), "loss", b.label());
                ci.addValue(b.win(), "95% interval of the win rate", b.label());
                lo[0][i] = b.winLow();
                hi[0][i] = b.winHigh();
            }
            CategoryAxis dom = new CategoryAxis(g.name());
            dom.setCategoryMargin(0.3);
            CategoryPlot sub = new CategoryPlot(ds, dom, null, new StackedBarRenderer());
            sub.setDataset(1, ci);
            sub.setRenderer(1, new PointRangeRenderer(lo, hi, false, 0));
            sub.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
            plot.add(sub, g.bars().size());
            subs.add(sub);
            bars += g.bars().size();
        }
        JFreeChart chart = ChartStyle.apply(new JFreeChart(title, ChartStyle.TITLE, plot, true));
        for (CategoryPlot sub : subs) {
            sub.setOrientation(PlotOrientation.HORIZONTAL);
            sub.setRangeGridlinesVisible(true);
            sub.getDomainAxis().setLabelFont(ChartStyle.LABEL);
            StackedBarRenderer r = (StackedBarRenderer) sub.getRenderer(0);
            r.setSeriesPaint(0, ChartStyle.WIN);
            r.setSeriesPaint(1, ChartStyle.TIE);
            r.setSeriesPaint(2, ChartStyle.LOSS);
            r.setDrawBarOutline(false);
            r.setMaximumBarWidth(0.9);
            r.setDefaultItemLabelGenerator(new ShareLabels());
            r.setDefaultItemLabelsVisible(true);
            r.setDefaultItemLabelFont(ChartStyle.ITEM);
            r.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.CENTER, TextAnchor.CENTER));
            r.setSeriesItemLabelPaint(0, Color.WHITE);
            r.setSeriesItemLabelPaint(1, ChartStyle.AXIS);
            r.setSeriesItemLabelPaint(2, ChartStyle.AXIS);
            sub.getRenderer(1).setSeriesPaint(0, Color.BLACK);
            sub.getRenderer(1).setSeriesShape(0, new java.awt.geom.Rectangle2D.Double(-7, -1, 14, 2));
        }
        LegendItemCollection legend = new LegendItemCollection();
        legend.addAll(subs.getFirst().getLegendItems());
        plot.setFixedLegendItems(legend);
        return new Chart(name, caption, WIDTH, 110 + 34 * bars + 40 * groups.size(), chart);
    }

    /** Percent labels inside bar segments, left out where the segment is too narrow to hold one. */
    private static final class ShareLabels extends StandardCategoryItemLabelGenerator {
        @Serial private static final long serialVersionUID = 1L;

        ShareLabels() { super("{2}", percentFormat()); }

        @Override
        public String generateLabel(CategoryDataset dataset, int row, int column) {
            Number v = dataset.getValue(row, column);
            return v == null || v.doubleValue() < 0.07 ? "" : super.generateLabel(dataset, row, column);
        }
    }

    /** One estimate with its interval (NaN ends: no whisker), in a series (a model) and a category (a department). */
    public record Point(String series, String category, double estimate, double low, double high) {
        public Point {
            Report.requireText(series, "point series");
            Report.requireText(category, "point category");
        }
    }

    /**
     * The value axis of a point-range chart.
     *
     * @param lower      fixed lower end, or NaN for automatic
     * @param upper      fixed upper end, or NaN for automatic
     * @param percent    values are fractions, shown as percentages
     * @param reference  a dashed reference line (e.g. 50%, or the anchor's rating), or NaN for none
     */
    public record ValueAxis(String label, double lower, double upper, boolean percent, double reference, String referenceLabel) {
        public ValueAxis {
            Report.requireText(label, "axis label");
            referenceLabel = referenceLabel == null ? "" : referenceLabel;
        }

        /** 0–100%, with a dashed line at 50%. */
        public static ValueAxis rate(String label) { return new ValueAxis(label, 0, 1, true, 0.5, "50%"); }

        /** Automatic range. */
        public static ValueAxis auto(String label) { return new ValueAxis(label, Double.NaN, Double.NaN, false, Double.NaN, ""); }

        public ValueAxis withRange(double lo, double hi) { return new ValueAxis(label, lo, hi, percent, reference, referenceLabel); }

        public ValueAxis withReference(double at, String text) { return new ValueAxis(label, lower, upper, percent, at, text); }
    }

    /**
     * Dots with interval whiskers, categories down the side (horizontal) or along the bottom, the series of a
     * category dodged side by side and coloured in order of first appearance; a legend when there are two or more
     * series.
     */
    public static Chart pointRanges(String name, String title, String caption, String categoryLabel, ValueAxis axis,
                                    List<Point> points, boolean horizontal) {
        if (points.isEmpty()) throw new IllegalArgumentException("chart " + name + " has no points");
        Map<String, Integer> series = new LinkedHashMap<>(), cats = new LinkedHashMap<>();
        for (Point p : points) {
            series.putIfAbsent(p.series(), series.size());
            cats.putIfAbsent(p.category(), cats.size());
        }
        DefaultCategoryDataset ds = new DefaultCategoryDataset();
        double[][] lo = new double[series.size()][cats.size()], hi = new double[series.size()][cats.size()];
        for (double[] r : lo) java.util.Arrays.fill(r, Double.NaN);
        for (double[] r : hi) java.util.Arrays.fill(r, Double.NaN);
        // every (series, category) slot exists in the dataset, so dodging keeps each series in its lane
        for (String s : series.keySet()) for (String c : cats.keySet()) ds.addValue(null, s, c);
        for (Point p : points) {
            ds.setValue(p.estimate(), p.series(), p.category());
            lo[series.get(p.series())][cats.get(p.category())] = p.low();
            hi[series.get(p.series())][cats.get(p.category())] = p.high();
        }
        NumberAxis value = axis.percent() ? percentAxis(axis.label()) : plainAxis(axis.label());
        value.setAutoRangeIncludesZero(false);
        PointRangeRenderer r = new PointRangeRenderer(lo, hi, true, 0.15);
        CategoryAxis dom = new CategoryAxis(categoryLabel);
        dom.setCategoryMargin(0.25);
        CategoryPlot plot = new CategoryPlot(ds, dom, value, r);
        boolean legend = series.size() > 1;
        JFreeChart chart = ChartStyle.apply(new JFreeChart(title, ChartStyle.TITLE, plot, legend));
        plot.setOrientation(horizontal ? PlotOrientation.HORIZONTAL : PlotOrientation.VERTICAL);
        plot.setRangeAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(true);
        for (int i = 0; i < series.size(); i++) r.setSeriesPaint(i, ChartStyle.series(i));
        if (!Double.isNaN(axis.lower()) && !Double.isNaN(axis.upper())) value.setRange(axis.lower(), axis.upper());
        else value.setLowerMargin(0.08);
        if (axis.percent() && axis.upper() - axis.lower() >= 0.5) value.setTickUnit(new NumberTickUnit(0.1, percentFormat()));
        if (!Double.isNaN(axis.reference())) plot.addRangeMarker(reference(axis.reference(), axis.referenceLabel(), horizontal));
        int lanes = cats.size() * Math.max(1, series.size());
        int height = horizontal ? 120 + (legend ? 30 : 0) + Math.max(3, lanes) * 26 : 460;
        return new Chart(name, caption, WIDTH, Math.min(height, 3000), chart);
    }

    private static ValueMarker reference(double at, String label, boolean horizontal) {
        ValueMarker m = new ValueMarker(at, ChartStyle.REFERENCE, ChartStyle.DASHED);
        if (!label.isBlank()) {
            m.setLabel(label);
            m.setLabelFont(ChartStyle.ITEM);
            m.setLabelPaint(ChartStyle.REFERENCE);
            m.setLabelBackgroundColor(new Color(255, 255, 255, 200));
            m.setLabelAnchor(horizontal ? RectangleAnchor.TOP_RIGHT : RectangleAnchor.TOP_LEFT);
            m.setLabelTextAnchor(horizontal ? TextAnchor.TOP_LEFT : TextAnchor.BOTTOM_LEFT);
        }
        return m;
    }

    /**
     * One line of a metric over steps; {@code low} and {@code high} (both or neither) draw a band around it, e.g.
     * reward ± its standard deviation, or the range over seeds.
     */
    public record Line(String name, double[] steps, double[] values, double[] low, double[] high) {
        public Line {
            Report.requireText(name, "line name");
            steps = steps.clone();
            values = values.clone();
            if (steps.length != values.length) throw new IllegalArgumentException("line " + name + ": " + steps.length + " steps, " + values.length + " values");
            if ((low == null) != (high == null)) throw new IllegalArgumentException("line " + name + ": a band needs both low and high");
            if (low != null) {
                low = low.clone();
                high = high.clone();
                if (low.length != steps.length || high.length != steps.length)
                    throw new IllegalArgumentException("line " + name + ": band lengths " + low.length + ", " + high.length + " for " + steps.length + " steps");
            }
        }

        public static Line of(String name, double[] steps, double[] values) { return new Line(name, steps, values, null, null); }
    }

    /** One panel of {@link #overSteps}: lines sharing a y axis. */
    public record Panel(String yLabel, List<Line> lines) {
        public Panel {
            Report.requireText(yLabel, "panel label");
            lines = List.copyOf(lines);
            if (lines.isEmpty()) throw new IllegalArgumentException("panel " + yLabel + " has no lines");
        }
    }

    /**
     * Metrics over training steps: one panel per metric (its own y axis) stacked over a shared step axis, so reward,
     * loss and KL each keep their scale. NaN values leave gaps. A line keeps its colour in every panel (by name);
     * a legend is shown when some panel has two or more lines.
     */
    public static Chart overSteps(String name, String title, String caption, String stepLabel, List<Panel> panels) {
        if (panels.isEmpty()) throw new IllegalArgumentException("chart " + name + " has no panels");
        NumberAxis steps = new NumberAxis(stepLabel);
        steps.setAutoRangeIncludesZero(false);
        steps.setStandardTickUnits(NumberAxis.createIntegerTickUnits(Locale.ROOT));
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(steps);
        plot.setGap(12);
        Map<String, Integer> colours = new LinkedHashMap<>();
        boolean legend = false;
        List<XYPlot> subs = new ArrayList<>();
        for (Panel p : panels) {
            YIntervalSeriesCollection coll = new YIntervalSeriesCollection();
            for (Line l : p.lines()) {
                colours.putIfAbsent(l.name(), colours.size());
                YIntervalSeries s = new YIntervalSeries(l.name(), false, true);
                for (int i = 0; i < l.steps().length; i++) {
                    double v = l.values()[i];
                    s.add(l.steps()[i], v, l.low() == null ? v : l.low()[i], l.high() == null ? v : l.high()[i]);
                }
                coll.addSeries(s);
            }
            legend |= p.lines().size() > 1;
            NumberAxis y = plainAxis(p.yLabel());
            y.setAutoRangeIncludesZero(false);
            XYPlot sub = new XYPlot(coll, null, y, new DeviationRenderer(true, p.lines().getFirst().steps().length <= 30));
            plot.add(sub, 1);
            subs.add(sub);
        }
        JFreeChart chart = ChartStyle.apply(new JFreeChart(title, ChartStyle.TITLE, plot, legend));
        LegendItemCollection items = new LegendItemCollection();
        Set<String> shown = new HashSet<>();
        for (int k = 0; k < subs.size(); k++) {
            XYPlot sub = subs.get(k);
            sub.setDomainGridlinesVisible(true);
            sub.setRangeGridlinesVisible(true);
            DeviationRenderer r = (DeviationRenderer) sub.getRenderer();
            r.setAlpha(0.18f);
            List<Line> lines = panels.get(k).lines();
            for (int i = 0; i < lines.size(); i++) {
                Color c = ChartStyle.series(colours.get(lines.get(i).name()));
                r.setSeriesPaint(i, c);
                r.setSeriesFillPaint(i, c);
                r.setSeriesStroke(i, new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                r.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-3, -3, 6, 6));
            }
            LegendItemCollection own = sub.getLegendItems();
            for (int i = 0; i < own.getItemCount(); i++) {
                LegendItem li = own.get(i);
                if (shown.add(li.getLabel())) items.add(li);
            }
        }
        plot.setFixedLegendItems(items);
        return new Chart(name, caption, WIDTH, 90 + 210 * panels.size() + (legend ? 30 : 0), chart);
    }

    /** Tick labels without locale-dependent grouping or decimal separators ("1000", "0.25"). */
    private static NumberAxis plainAxis(String label) {
        NumberAxis a = new NumberAxis(label);
        a.setStandardTickUnits(NumberAxis.createStandardTickUnits(Locale.ROOT));
        return a;
    }

    private static NumberAxis percentAxis(String label) {
        NumberAxis a = new NumberAxis(label);
        a.setNumberFormatOverride(percentFormat());
        return a;
    }

    /** "62%": locale-independent, so reports read the same on every machine. */
    static NumberFormat percentFormat() {
        return new DecimalFormat("0%", DecimalFormatSymbols.getInstance(Locale.ROOT));
    }
}
