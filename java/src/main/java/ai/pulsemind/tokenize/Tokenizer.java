package ai.pulsemind.tokenize;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A byte-level BPE tokenizer read from a Hugging Face {@code tokenizer.json}, giving the same ids as the
 * {@code tokenizers} library: added tokens are cut out first (raw-text ones before normalization, normalized ones
 * after), the rest is normalized, pre-tokenized by the split regex, mapped to byte-level chars and merged by rank.
 * Thread-safe.
 */
public final class Tokenizer {
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final BpeModel model;
    private final List<AddedToken> added;
    private final AddedTokenMatcher rawMatcher, normalizedMatcher;
    private final Map<Integer, AddedToken> addedById = new HashMap<>();
    private final Map<String, AddedToken> addedByContent = new HashMap<>();
    private final Set<Integer> specialIds = new HashSet<>();
    private final int[] prefix, suffix; // the post-processor's special tokens around a sequence

    Tokenizer(Normalizer normalizer, PreTokenizer preTokenizer, BpeModel model, List<AddedToken> added, int[] prefix,
              int[] suffix) {
        this.prefix = prefix.clone();
        this.suffix = suffix.clone();
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.model = model;
        this.added = List.copyOf(added);
        for (AddedToken t : added) {
            addedById.put(t.id(), t);
            addedByContent.put(t.content(), t);
            if (t.special()) specialIds.add(t.id());
        }
        this.rawMatcher = new AddedTokenMatcher(added.stream().filter(t -> !t.normalized()).toList());
        this.normalizedMatcher = new AddedTokenMatcher(added.stream().filter(AddedToken::normalized).toList());
    }

    /** Reads {@code tokenizer.json}; see {@link TokenizerJson} for what is supported. */
    public static Tokenizer load(Path tokenizerJson) { return TokenizerJson.load(tokenizerJson); }

    /** The tokenizer of a model directory, whose tokenizer.json must exist. */
    public static Tokenizer fromModelDir(Path dir) {
        Path f = dir.resolve("tokenizer.json");
        if (!java.nio.file.Files.exists(f))
            throw new TokenizerException(dir, "tokenizer.json is missing" + (java.nio.file.Files.exists(dir.resolve("vocab.json"))
                    ? " (vocab.json and merges.txt alone are not supported: save the fast tokenizer)" : ""));
        return load(f);
    }

    /**
     * The ids of {@code text}, with the post-processor's special tokens as the tokenizers library adds them by
     * default. Qwen's adds none: its special tokens come from the chat template.
     */
    public int[] encode(String text) { return encode(text, true); }

    public int[] encode(String text, boolean addSpecialTokens) {
        List<Integer> ids = new ArrayList<>();
        if (addSpecialTokens) for (int id : prefix) ids.add(id);
        for (var raw : rawMatcher.split(text)) {
            if (raw.id() >= 0) {
                ids.add(raw.id());
                continue;
            }
            String norm = normalizer.apply(text.substring(raw.start(), raw.end()));
            for (var p : normalizedMatcher.split(norm)) {
                if (p.id() >= 0) ids.add(p.id());
                else encodePlain(norm.substring(p.start(), p.end()), ids);
            }
        }
        if (addSpecialTokens) for (int id : suffix) ids.add(id);
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private void encodePlain(String text, List<Integer> out) {
        for (String word : preTokenizer.split(text)) {
            String w = preTokenizer.byteLevel() ? ByteLevel.encode(word) : word;
            for (int id : model.encodeWord(w)) out.add(id);
        }
    }

    /** The text of {@code ids}; with {@code skipSpecial}, special added tokens are left out. */
    public String decode(int[] ids, boolean skipSpecial) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            if (skipSpecial && specialIds.contains(id)) continue;
            String t = idToToken(id);
            if (t == null) throw new IllegalArgumentException("id " + id + " is not in the vocabulary (size " + vocabSize() + ")");
            tokens.add(t);
        }
        return ByteLevel.decode(tokens);
    }

    /**
     * The bytes an id contributes to decoded text (the ByteLevel decoder's view of its token), or null for an id
     * this tokenizer does not know (a model's padded vocabulary rows).
     */
    public byte[] tokenBytes(int id) {
        String t = idToToken(id);
        return t == null ? null : ByteLevel.bytes(t);
    }

    /** Whether {@code id} is a token of this vocabulary (ids below {@link #vocabSize()} may still be holes). */
    public boolean knows(int id) { return idToToken(id) != null; }

    public String decode(int[] ids) { return decode(ids, false); }

    /** The token string of an id (added tokens first), or null. */
    public String idToToken(int id) {
        AddedToken t = addedById.get(id);
        return t != null ? t.content() : model.idToToken(id);
    }

    /** The id of an exact token string (an added token such as "<|im_end|>", or a byte-level vocab entry), or -1. */
    public int tokenToId(String token) {
        AddedToken t = addedByContent.get(token);
        if (t != null) return t.id();
        Integer id = model.tokenToId(token);
        return id == null ? -1 : id;
    }

    /** Like {@link #tokenToId} but a missing token is an error naming it. */
    public int requireId(String token) {
        int id = tokenToId(token);
        if (id < 0) throw new IllegalArgumentException("token '" + token + "' is not in this tokenizer's vocabulary");
        return id;
    }

    /** One past the largest id (the model's vocab_size may be larger: its extra rows are padding). */
    public int vocabSize() {
        int max = model.maxId();
        for (AddedToken t : added) max = Math.max(max, t.id());
        return max + 1;
    }

    public List<AddedToken> addedTokens() { return added; }

    public boolean isSpecial(int id) { return specialIds.contains(id); }

    public Set<Integer> specialIds() { return Collections.unmodifiableSet(specialIds); }

    @Override
    public String toString() {
        return "Tokenizer[BPE, " + vocabSize() + " ids, " + added.size() + " added, normalizer " + normalizer.description() + "]";
    }

    static String show(int[] ids) { return Arrays.toString(ids); }
}
