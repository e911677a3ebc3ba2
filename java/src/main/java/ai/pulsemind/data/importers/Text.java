package ai.pulsemind.data.importers;

/** Small text helpers shared by importers. */
final class Text {
    private Text() {}

    /** {@code zh} when a fifth or more of the letters are CJK ideographs, else {@code en}. */
    static String language(String s) {
        long cjk = 0, letters = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN) { cjk++; letters++; }
            else if (Character.isLetter(c)) letters++;
        }
        return letters > 0 && cjk * 5 >= letters ? "zh" : "en";
    }

    static String str(com.fasterxml.jackson.databind.JsonNode n, String... names) {
        for (String name : names) {
            var v = n.get(name);
            if (v != null && !v.isNull() && !(v.isTextual() && v.asText().isBlank())) return v.isTextual() ? v.asText() : v.toString();
        }
        return null;
    }
}
