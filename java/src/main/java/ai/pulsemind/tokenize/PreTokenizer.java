package ai.pulsemind.tokenize;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits normalized text into words before BPE: the {@code pre_tokenizer} of tokenizer.json, limited to what
 * byte-level BPE tokenizers use: {@code Split} (regex or literal; behavior Isolated or Removed), {@code ByteLevel}
 * (optionally with GPT-2's split and a prefix space) and {@code Sequence} of those.
 *
 * <p>Regexes: tokenizers compiles them with Oniguruma, whose {@code \s}, {@code \d} and case-insensitive matching are
 * Unicode-aware; Java's are ASCII-only unless {@link Pattern#UNICODE_CHARACTER_CLASS} is set, so it always is.
 * {@code \p{L}}, {@code \p{N}}, {@code (?i:...)}, {@code (?!...)} mean the same in both. Equivalence is checked code
 * point by code point against the tokenizers library (TokenizerParityTest).
 */
abstract sealed class PreTokenizer {
    /** GPT-2's split, which ByteLevel applies when use_regex is true. */
    static final String GPT2_SPLIT = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** The pieces of {@code text}, in order, before byte-level mapping. */
    abstract List<String> split(String text);

    /** True when pieces must be mapped to byte-level chars (a ByteLevel step is present). */
    abstract boolean byteLevel();

    static Pattern compile(String regex) { return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS); }

    /** What happens to the matches: kept as pieces of their own, or dropped. */
    enum Behavior { ISOLATED, REMOVED }

    static final class Split extends PreTokenizer {
        private final Pattern pattern;
        private final Behavior behavior;

        Split(Pattern pattern, Behavior behavior) {
            this.pattern = pattern;
            this.behavior = behavior;
        }

        @Override
        List<String> split(String text) {
            List<String> out = new ArrayList<>();
            Matcher m = pattern.matcher(text);
            int last = 0;
            while (m.find()) {
                if (m.end() == m.start()) continue; // an empty match splits nothing
                add(out, text.substring(last, m.start()));
                if (behavior == Behavior.ISOLATED) add(out, m.group());
                last = m.end();
            }
            add(out, text.substring(last));
            return out;
        }

        private static void add(List<String> out, String s) { if (!s.isEmpty()) out.add(s); }

        @Override boolean byteLevel() { return false; }
    }

    static final class ByteLevelStep extends PreTokenizer {
        private final boolean addPrefixSpace;
        private final Split gpt2;

        ByteLevelStep(boolean addPrefixSpace, boolean useRegex) {
            this.addPrefixSpace = addPrefixSpace;
            this.gpt2 = useRegex ? new Split(compile(GPT2_SPLIT), Behavior.ISOLATED) : null;
        }

        @Override
        List<String> split(String text) {
            String t = addPrefixSpace && !text.startsWith(" ") ? " " + text : text;
            return gpt2 == null ? (t.isEmpty() ? List.of() : List.of(t)) : gpt2.split(t);
        }

        @Override boolean byteLevel() { return true; }
    }

    static final class Sequence extends PreTokenizer {
        private final List<PreTokenizer> steps;

        Sequence(List<PreTokenizer> steps) {
            for (int i = 0; i < steps.size() - 1; i++)
                if (steps.get(i).byteLevel())
                    throw new IllegalArgumentException("a ByteLevel pre-tokenizer must come last in its Sequence");
            this.steps = List.copyOf(steps);
        }

        @Override
        List<String> split(String text) {
            List<String> pieces = List.of(text);
            for (PreTokenizer p : steps) {
                List<String> next = new ArrayList<>();
                for (String s : pieces) next.addAll(p.split(s));
                pieces = next;
            }
            return pieces;
        }

        @Override boolean byteLevel() { return !steps.isEmpty() && steps.getLast().byteLevel(); }
    }
}
