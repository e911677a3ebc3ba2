package ai.pulsemind.evaluate.report;

/**
 * A figure shown large at the top of a report: e.g. label "Mean win rate · pulsemind-7b", value "62.3%", detail
 * "95% CI 58.1–66.4%".
 */
public record KeyNumber(String label, String value, String detail) {
    public KeyNumber {
        Report.requireText(label, "key number label");
        Report.requireText(value, "key number value");
        detail = detail == null ? "" : detail;
    }
}
