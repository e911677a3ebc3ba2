package ai.pulsemind.evaluate.report;

import java.nio.file.Path;
import java.util.List;

/** Run in a child JVM by {@link HeadlessRenderTest}: writes a one-chart report into {@code args[0]}. */
public final class HeadlessMain {
    private HeadlessMain() {}

    public static void main(String[] args) throws Exception {
        Chart c = Charts.pointRanges("one", "One chart", "A point.", "x", Charts.ValueAxis.auto("v"),
                List.of(new Charts.Point("s", "a", 1, 0.5, 1.5)), true);
        Report.builder("headless").section(Report.Section.builder("s").chart(c).build()).build().write(Path.of(args[0]));
        System.out.println("headless=" + java.awt.GraphicsEnvironment.isHeadless());
    }
}
