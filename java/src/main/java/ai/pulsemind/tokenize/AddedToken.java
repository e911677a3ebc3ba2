package ai.pulsemind.tokenize;

/**
 * An entry of tokenizer.json's {@code added_tokens}: matched in the text before BPE and given its id whole.
 *
 * @param id         its id
 * @param content    the exact text matched
 * @param special    skipped by decode(skipSpecial = true)
 * @param singleWord only matched when not inside a word
 * @param lstrip     also swallows whitespace on its left
 * @param rstrip     also swallows whitespace on its right
 * @param normalized matched in normalized text (false: in the raw text, before normalization)
 */
public record AddedToken(int id, String content, boolean special, boolean singleWord, boolean lstrip, boolean rstrip,
                         boolean normalized) {
    public AddedToken {
        if (content.isEmpty()) throw new IllegalArgumentException("added token " + id + " has empty content");
    }
}
