package ai.pulsemind.evaluate.report;

import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.AbstractCategoryItemRenderer;
import org.jfree.chart.renderer.category.CategoryItemRendererState;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.Range;
import org.jfree.data.category.CategoryDataset;

import java.awt.BasicStroke;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.io.Serial;

/**
 * Draws each item as an interval whisker (low to high, with end caps) and optionally a dot at the estimate; the
 * series of a category are dodged side by side as bars would be. JFreeChart's statistical renderers draw only
 * symmetric mean ± standard deviation, and bootstrap percentile intervals are not symmetric.
 *
 * <p>The dataset's values are the estimates; {@code low[row][column]} and {@code high[row][column]} are the
 * interval ends (NaN: no whisker).
 */
final class PointRangeRenderer extends AbstractCategoryItemRenderer {
    @Serial private static final long serialVersionUID = 1L;

    private final double[][] low, high; // (series, category)
    private final boolean dots;
    private final double itemMargin;

    PointRangeRenderer(double[][] low, double[][] high, boolean dots, double itemMargin) {
        this.low = low;
        this.high = high;
        this.dots = dots;
        this.itemMargin = itemMargin;
    }

    @Override
    public Range findRangeBounds(CategoryDataset dataset) {
        Range r = super.findRangeBounds(dataset, true);
        double lo = r == null ? Double.NaN : r.getLowerBound(), hi = r == null ? Double.NaN : r.getUpperBound();
        for (double[] row : low) for (double v : row) if (!Double.isNaN(v)) lo = Double.isNaN(lo) ? v : Math.min(lo, v);
        for (double[] row : high) for (double v : row) if (!Double.isNaN(v)) hi = Double.isNaN(hi) ? v : Math.max(hi, v);
        return Double.isNaN(lo) || Double.isNaN(hi) ? r : new Range(lo, hi);
    }

    @Override
    public void drawItem(Graphics2D g2, CategoryItemRendererState state, Rectangle2D dataArea, CategoryPlot plot,
                         CategoryAxis domainAxis, ValueAxis rangeAxis, CategoryDataset dataset, int row, int column, int pass) {
        Number v = dataset.getValue(row, column);
        if (v == null || !getItemVisible(row, column)) return;
        PlotOrientation orientation = plot.getOrientation();
        RectangleEdge domainEdge = plot.getDomainAxisEdge(), rangeEdge = plot.getRangeAxisEdge();
        int rows = state.getVisibleSeriesCount() >= 0 ? state.getVisibleSeriesCount() : dataset.getRowCount();
        int visibleRow = state.getVisibleSeriesIndex(row);
        if (visibleRow < 0) return;
        double c = rows <= 1
                ? domainAxis.getCategoryMiddle(column, dataset.getColumnCount(), dataArea, domainEdge)
                : domainAxis.getCategorySeriesMiddle(column, dataset.getColumnCount(), visibleRow, rows, itemMargin, dataArea, domainEdge);
        double lo = low[row][column], hi = high[row][column];
        Paint paint = getItemPaint(row, column);
        g2.setPaint(paint);
        g2.setStroke(new BasicStroke(1.6f));
        double cap = 4;
        if (!Double.isNaN(lo) && !Double.isNaN(hi)) {
            double a = rangeAxis.valueToJava2D(lo, dataArea, rangeEdge), b = rangeAxis.valueToJava2D(hi, dataArea, rangeEdge);
            if (orientation == PlotOrientation.HORIZONTAL) {
                g2.draw(new Line2D.Double(a, c, b, c));
                g2.draw(new Line2D.Double(a, c - cap, a, c + cap));
                g2.draw(new Line2D.Double(b, c - cap, b, c + cap));
            } else {
                g2.draw(new Line2D.Double(c, a, c, b));
                g2.draw(new Line2D.Double(c - cap, a, c + cap, a));
                g2.draw(new Line2D.Double(c - cap, b, c + cap, b));
            }
        }
        if (dots) {
            double e = rangeAxis.valueToJava2D(v.doubleValue(), dataArea, rangeEdge), r = 4.5;
            double x = orientation == PlotOrientation.HORIZONTAL ? e : c, y = orientation == PlotOrientation.HORIZONTAL ? c : e;
            Ellipse2D dot = new Ellipse2D.Double(x - r, y - r, 2 * r, 2 * r);
            g2.fill(dot);
            g2.setPaint(java.awt.Color.WHITE);
            g2.setStroke(new BasicStroke(1f));
            g2.draw(dot);
        }
    }
}
