/**
 * Static HTML reports with PNG charts, readable offline: {@code report.html} and its {@code *.png} files side by
 * side in one directory, with no scripts, no styles or fonts from the network, and the same bytes for the same
 * inputs.
 *
 * <ul>
 *   <li>{@link ai.pulsemind.evaluate.report.Report}: the document (key numbers, sections of paragraphs, tables and
 *       charts) and {@link ai.pulsemind.evaluate.report.Report#write} that writes it.</li>
 *   <li>{@link ai.pulsemind.evaluate.report.Charts}: the chart kinds, drawn with JFreeChart in one house style
 *       (win / tie / loss bars with interval whiskers, point-and-interval plots, metrics over steps).</li>
 *   <li>{@link ai.pulsemind.evaluate.report.ConsultSections}: the consultation benchmark's sections from the
 *       statistics in {@code evaluate.stats}; {@link ai.pulsemind.evaluate.report.Sections}: public-benchmark
 *       accuracies and training metrics over steps.</li>
 * </ul>
 * Rendering is headless ({@code java.awt.headless=true} unless the JVM already chose), so it runs on servers and CI.
 */
package ai.pulsemind.evaluate.report;
