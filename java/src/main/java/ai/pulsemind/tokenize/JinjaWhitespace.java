package ai.pulsemind.tokenize;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jinja's {@code lstrip_blocks} and {@code trim_blocks}, applied to the template source before Jinjava parses it.
 * Jinjava's own lstripBlocks strips spaces before every block tag, even after text on the same line (it turns
 * {@code "Picture 1: {% endif %}"} into {@code "Picture 1:"}); Jinja strips only when the tag starts its line. So
 * both options are done here, as Jinja's lexer does them, and Jinjava runs with them off:
 * <ul>
 *   <li>lstrip_blocks: spaces and tabs between a line start and a {@code {%} or {@code {#} are removed, unless the
 *       tag opens with {@code {%+}; {@code {%-} already strips more.</li>
 *   <li>trim_blocks: the first newline after a {@code %}} or {@code #}} is removed, unless it closes with {@code +%}}.</li>
 * </ul>
 */
final class JinjaWhitespace {
    private static final Pattern LSTRIP = Pattern.compile("(?m)^[ \\t]+(?=\\{[%#](?![+-]))");
    private static final Pattern TRIM = Pattern.compile("(?<![+])([%#]\\})\\r?\\n");
    private static final Pattern PLUS = Pattern.compile("\\{([%#])\\+|\\+([%#])\\}");

    private JinjaWhitespace() {}

    static String apply(String template) {
        String s = LSTRIP.matcher(template).replaceAll("");
        s = TRIM.matcher(s).replaceAll("$1");
        // The '+' modifiers only disable the stripping above; Jinjava does not know them.
        Matcher m = PLUS.matcher(s);
        return m.replaceAll(r -> r.group(1) != null ? "{" + r.group(1) : r.group(2) + "}");
    }
}
