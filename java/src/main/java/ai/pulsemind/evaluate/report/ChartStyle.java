package ai.pulsemind.evaluate.report;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Shape;
import java.awt.Stroke;

/**
 * The house style of every chart: white background, light grid, flat bars, one sans-serif family at sizes that
 * stay readable when a figure is shrunk into a paper column, and a colour-blind-safe qualitative palette (the
 * "deep" palette of seaborn) so a model keeps its colour from chart to chart.
 */
final class ChartStyle {
    static { Headless.ensure(); }

    private ChartStyle() {}

    static final String FAMILY = Font.SANS_SERIF;
    static final Font TITLE = new Font(FAMILY, Font.BOLD, 16);
    static final Font LABEL = new Font(FAMILY, Font.PLAIN, 13);
    static final Font TICK = new Font(FAMILY, Font.PLAIN, 12);
    static final Font ITEM = new Font(FAMILY, Font.PLAIN, 11);

    static final Color WIN = new Color(0x4C72B0), TIE = new Color(0xB8B8B8), LOSS = new Color(0xDD8452);
    static final Color GRID = new Color(0xDDDDDD), AXIS = new Color(0x333333), REFERENCE = new Color(0x777777);
    static final Color[] SERIES = {
            new Color(0x4C72B0), new Color(0xDD8452), new Color(0x55A868), new Color(0xC44E52), new Color(0x8172B3),
            new Color(0x937860), new Color(0xDA8BC3), new Color(0x8C8C8C), new Color(0xCCB974), new Color(0x64B5CD)};

    static final Stroke DASHED = new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {5, 4}, 0);

    static Color series(int i) { return SERIES[Math.floorMod(i, SERIES.length)]; }

    private static final StandardChartTheme THEME = theme();

    private static StandardChartTheme theme() {
        StandardChartTheme t = new StandardChartTheme("PulseMind");
        t.setExtraLargeFont(TITLE);
        t.setLargeFont(LABEL);
        t.setRegularFont(TICK);
        t.setSmallFont(ITEM);
        t.setTitlePaint(AXIS);
        t.setSubtitlePaint(AXIS);
        t.setChartBackgroundPaint(Color.WHITE);
        t.setPlotBackgroundPaint(Color.WHITE);
        t.setPlotOutlinePaint(Color.WHITE);
        t.setLegendBackgroundPaint(Color.WHITE);
        t.setLegendItemPaint(AXIS);
        t.setDomainGridlinePaint(GRID);
        t.setRangeGridlinePaint(GRID);
        t.setAxisLabelPaint(AXIS);
        t.setTickLabelPaint(AXIS);
        t.setItemLabelPaint(AXIS);
        t.setAxisOffset(new RectangleInsets(4, 4, 4, 4));
        t.setShadowVisible(false);
        t.setBarPainter(new StandardBarPainter());
        t.setXYBarPainter(new StandardXYBarPainter());
        t.setDrawingSupplier(new DefaultDrawingSupplier(SERIES, SERIES, new Paint[] {AXIS},
                DefaultDrawingSupplier.DEFAULT_STROKE_SEQUENCE, DefaultDrawingSupplier.DEFAULT_OUTLINE_STROKE_SEQUENCE,
                new Shape[] {DefaultDrawingSupplier.DEFAULT_SHAPE_SEQUENCE[0]}));
        return t;
    }

    /** Applies the theme, then the touches the theme has no setting for; call before setting series paints. */
    static JFreeChart apply(JFreeChart chart) {
        THEME.apply(chart);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        chart.setPadding(new RectangleInsets(8, 8, 8, 12));
        LegendTitle legend = chart.getLegend();
        if (legend != null) {
            legend.setFrame(BlockBorder.NONE);
            legend.setPosition(RectangleEdge.BOTTOM);
            legend.setItemFont(TICK);
        }
        return chart;
    }
}
