package ai.pulsemind.tokenize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains a byte-level BPE with Qwen2's normaliser (NFC) and pre-tokenizer (its split regex, then bytes mapped to
 * GPT-2's printable characters) and writes it as a Hugging Face {@code tokenizer.json} with Qwen2.5-VL's added
 * tokens, which the {@code tokenizers} library and this package's {@link Tokenizer} both read.
 *
 * <p>The algorithm is the classic one: start from the 256 byte symbols, repeatedly merge the most frequent adjacent
 * pair over the corpus's words (ties: the lexicographically smallest pair, so training is deterministic), until the
 * vocabulary has the size asked for. Pair counts are updated incrementally, touching only the words that contain
 * the merged pair.
 */
public final class BpeTrainer {
    /** Qwen2's pre-tokenizer split, verbatim from its tokenizer.json. */
    public static final String QWEN_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Qwen2.5-VL's special tokens, in its id order. */
    public static final List<String> QWEN_SPECIAL = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>",
            "<|object_ref_end|>", "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>",
            "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>");
    /** Its added tokens that are not special. */
    public static final List<String> QWEN_ADDED = List.of("<tool_call>", "</tool_call>", "<|fim_prefix|>", "<|fim_middle|>",
            "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>");

    private final PreTokenizer pre = new PreTokenizer.Sequence(List.of(
            new PreTokenizer.Split(PreTokenizer.compile(QWEN_SPLIT), PreTokenizer.Behavior.ISOLATED),
            new PreTokenizer.ByteLevelStep(false, false)));
    private final Map<String, Integer> wordCounts = new HashMap<>();

    /** Adds a text of the corpus. */
    public void add(String text) {
        String norm = java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFC);
        for (String piece : pre.split(norm)) wordCounts.merge(ByteLevel.encode(piece), 1, Integer::sum);
    }

    /** The trained model: vocabulary (symbol → id, bytes first) and merges in rank order. */
    public record Model(Map<String, Integer> vocab, List<String[]> merges) {}

    /** Trains up to {@code vocabSize} BPE symbols (≥ 256: the bytes). */
    public Model train(int vocabSize) {
        if (vocabSize < 256) throw new IllegalArgumentException("vocab size must be >= 256 (the byte alphabet), got " + vocabSize);
        List<String> symbols = new ArrayList<>();
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            String s = String.valueOf(ByteLevel.charOf(b));
            vocab.put(s, b);
            symbols.add(s);
        }
        List<String> words = new ArrayList<>(wordCounts.keySet());
        words.sort(null); // a fixed order: the result does not depend on hashing
        int[][] w = new int[words.size()][];
        long[] freq = new long[words.size()];
        Map<Long, Long> pairs = new HashMap<>();
        Map<Long, java.util.Set<Integer>> where = new HashMap<>();
        for (int i = 0; i < w.length; i++) {
            String s = words.get(i);
            w[i] = new int[s.length()];
            for (int k = 0; k < s.length(); k++) w[i][k] = ByteLevel.byteOf(s.charAt(k));
            freq[i] = wordCounts.get(s);
            countPairs(w[i], i, freq[i], 1, pairs, where);
        }
        List<String[]> merges = new ArrayList<>();
        while (symbols.size() < vocabSize) {
            long best = -1, bestCount = 0;
            for (var e : pairs.entrySet()) {
                long c = e.getValue();
                if (c > bestCount || (c == bestCount && c > 0 && lexLess(e.getKey(), best, symbols))) { best = e.getKey(); bestCount = c; }
            }
            if (bestCount <= 0) break; // nothing left to merge
            int a = (int) (best >>> 32), b = (int) best, id = symbols.size();
            String merged = symbols.get(a) + symbols.get(b);
            symbols.add(merged);
            vocab.put(merged, id);
            merges.add(new String[] {symbols.get(a), symbols.get(b)});
            for (int i : new ArrayList<>(where.getOrDefault(best, java.util.Set.of()))) {
                countPairs(w[i], i, freq[i], -1, pairs, where);
                w[i] = merge(w[i], a, b, id);
                countPairs(w[i], i, freq[i], 1, pairs, where);
            }
            pairs.remove(best);
            where.remove(best);
        }
        return new Model(vocab, merges);
    }

    private static boolean lexLess(long p, long q, List<String> symbols) {
        if (q < 0) return true;
        int c = symbols.get((int) (p >>> 32)).compareTo(symbols.get((int) (q >>> 32)));
        return c != 0 ? c < 0 : symbols.get((int) p).compareTo(symbols.get((int) q)) < 0;
    }

    private static void countPairs(int[] word, int wi, long f, int sign, Map<Long, Long> pairs, Map<Long, java.util.Set<Integer>> where) {
        for (int k = 0; k + 1 < word.length; k++) {
            long key = ((long) word[k] << 32) | (word[k + 1] & 0xFFFFFFFFL);
            pairs.merge(key, sign * f, Long::sum);
            if (sign > 0) where.computeIfAbsent(key, x -> new java.util.HashSet<>()).add(wi);
        }
    }

    private static int[] merge(int[] word, int a, int b, int id) {
        int[] out = new int[word.length];
        int n = 0;
        for (int k = 0; k < word.length; k++) {
            if (k + 1 < word.length && word[k] == a && word[k + 1] == b) { out[n++] = id; k++; }
            else out[n++] = word[k];
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * The tokenizer.json of a trained model: Qwen's normaliser, pre-tokenizer, decoder and post-processor, the BPE
     * vocabulary and merges, and Qwen2.5-VL's added tokens numbered right after the vocabulary.
     */
    public static ObjectNode tokenizerJson(Model m) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        int id = m.vocab().size();
        for (String s : QWEN_SPECIAL) addedToken(added, id++, s, true);
        for (String s : QWEN_ADDED) addedToken(added, id++, s, false);
        root.putObject("normalizer").put("type", "NFC");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        ObjectNode split = steps.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", QWEN_SPLIT);
        split.put("behavior", "Isolated");
        split.put("invert", false);
        byteLevel(steps.addObject());
        byteLevel(root.putObject("post_processor"));
        byteLevel(root.putObject("decoder"));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        m.vocab().forEach(vocab::put);
        ArrayNode merges = model.putArray("merges");
        for (String[] p : m.merges()) merges.addArray().add(p[0]).add(p[1]);
        return root;
    }

    private static void byteLevel(ObjectNode o) {
        o.put("type", "ByteLevel");
        o.put("add_prefix_space", false);
        o.put("trim_offsets", false);
        o.put("use_regex", false);
    }

    private static void addedToken(ArrayNode a, int id, String content, boolean special) {
        ObjectNode o = a.addObject();
        o.put("id", id);
        o.put("content", content);
        o.put("single_word", false);
        o.put("lstrip", false);
        o.put("rstrip", false);
        o.put("normalized", false);
        o.put("special", special);
    }
}
