package ai.pulsemind.evaluate.report;

import org.jfree.chart.JFreeChart;

import java.util.regex.Pattern;

/**
 * A chart to be written as {@code name.png} beside the report and shown at {@code width} × {@code height} CSS
 * pixels (the PNG has {@link Png#SCALE} times as many pixels each way, so it stays sharp on high-density screens
 * and in print).
 *
 * @param name    the file name without {@code .png}: lower-case letters, digits, '-' and '_'
 * @param caption shown under the chart, and its alt text
 * @param chart   drawn when the report is written (JFreeChart objects are mutable: do not change it after)
 */
public record Chart(String name, String caption, int width, int height, JFreeChart chart) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,99}");

    public Chart {
        if (name == null || !NAME.matcher(name).matches())
            throw new IllegalArgumentException("chart name '" + name + "' must be 1-100 of [a-z0-9_-], starting with a letter or digit");
        Report.requireText(caption, "caption of chart " + name);
        if (width < 100 || width > 4000 || height < 100 || height > 4000)
            throw new IllegalArgumentException("chart " + name + ": size must be 100..4000 each way, got " + width + "x" + height);
        if (chart == null) throw new IllegalArgumentException("chart " + name + " has nothing to draw");
    }

    public String fileName() { return name + ".png"; }
}
