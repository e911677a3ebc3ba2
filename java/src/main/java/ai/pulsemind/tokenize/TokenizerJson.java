package ai.pulsemind.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads a Hugging Face {@code tokenizer.json} (also gzip-compressed, {@code .json.gz}). Supported: model BPE
 * (without dropout, unk token fallback, subword prefixes or byte fallback); normalizers NFC, NFD, NFKC, NFKD,
 * Lowercase, Sequence; pre-tokenizers Split, ByteLevel, Sequence; decoder ByteLevel; post-processors ByteLevel,
 * TemplateProcessing (single sequences) and Sequence. Anything else is refused at load time with one line naming the field, never mis-tokenized later.
 */
final class TokenizerJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TokenizerJson() {}

    static Tokenizer load(Path file) {
        JsonNode root;
        try (InputStream in = open(file)) {
            root = MAPPER.readTree(in);
        } catch (NoSuchFileException e) {
            throw new TokenizerException(file, "file not found");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new TokenizerException(file, ai.pulsemind.data.Json.describe(e), e);
        } catch (IOException e) {
            throw new TokenizerException(file, "cannot read tokenizer JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new TokenizerException(file, "expected a JSON object");
        checkDecoder(file, root);
        try {
            int[][] post = postProcessor(root.get("post_processor"));
            return new Tokenizer(normalizer(root.get("normalizer")), preTokenizer(root.get("pre_tokenizer")),
                    model(root.get("model")), addedTokens(root.get("added_tokens")), post[0], post[1]);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new TokenizerException(file, e.getMessage(), e);
        }
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        return file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
    }

    private static String type(JsonNode n) { return n.path("type").asText(""); }

    static Normalizer normalizer(JsonNode n) {
        if (n == null || n.isNull()) return Normalizer.NONE;
        return switch (type(n)) {
            case "NFC" -> Normalizer.form(java.text.Normalizer.Form.NFC);
            case "NFD" -> Normalizer.form(java.text.Normalizer.Form.NFD);
            case "NFKC" -> Normalizer.form(java.text.Normalizer.Form.NFKC);
            case "NFKD" -> Normalizer.form(java.text.Normalizer.Form.NFKD);
            case "Lowercase" -> Normalizer.lowercase();
            case "Sequence" -> {
                List<Normalizer> parts = new ArrayList<>();
                for (JsonNode c : n.path("normalizers")) parts.add(normalizer(c));
                yield Normalizer.sequence(parts);
            }
            default -> throw new IllegalArgumentException("normalizer type '" + type(n) + "' is not supported");
        };
    }

    static PreTokenizer preTokenizer(JsonNode n) {
        if (n == null || n.isNull()) throw new IllegalArgumentException("pre_tokenizer is missing: not a byte-level BPE tokenizer");
        return switch (type(n)) {
            case "Sequence" -> {
                List<PreTokenizer> steps = new ArrayList<>();
                for (JsonNode c : n.path("pretokenizers")) steps.add(preTokenizer(c));
                yield new PreTokenizer.Sequence(steps);
            }
            case "ByteLevel" -> new PreTokenizer.ByteLevelStep(n.path("add_prefix_space").asBoolean(false),
                    n.path("use_regex").asBoolean(true));
            case "Split" -> split(n);
            default -> throw new IllegalArgumentException("pre_tokenizer type '" + type(n) + "' is not supported");
        };
    }

    private static PreTokenizer split(JsonNode n) {
        if (n.path("invert").asBoolean(false)) throw new IllegalArgumentException("Split with invert=true is not supported");
        JsonNode p = n.path("pattern");
        String regex = p.has("Regex") ? p.get("Regex").asText()
                : p.has("String") ? java.util.regex.Pattern.quote(p.get("String").asText()) : null;
        if (regex == null) throw new IllegalArgumentException("Split pattern must be {Regex: ...} or {String: ...}");
        PreTokenizer.Behavior b = switch (n.path("behavior").asText("")) {
            case "Isolated" -> PreTokenizer.Behavior.ISOLATED;
            case "Removed" -> PreTokenizer.Behavior.REMOVED;
            default -> throw new IllegalArgumentException("Split behavior '" + n.path("behavior").asText() + "' is not supported");
        };
        return new PreTokenizer.Split(PreTokenizer.compile(regex), b);
    }

    static BpeModel model(JsonNode m) {
        if (m == null || !m.isObject()) throw new IllegalArgumentException("model is missing");
        if (!"BPE".equals(type(m)) && !(type(m).isEmpty() && m.has("merges"))) // old files omit type for BPE
            throw new IllegalArgumentException("model type '" + type(m) + "' is not supported (only BPE)");
        if (!m.path("dropout").isNull() && !m.path("dropout").isMissingNode())
            throw new IllegalArgumentException("BPE dropout is not supported");
        if (m.path("byte_fallback").asBoolean(false)) throw new IllegalArgumentException("BPE byte_fallback is not supported");
        for (String f : new String[] {"continuing_subword_prefix", "end_of_word_suffix"})
            if (!m.path(f).isNull() && !m.path(f).isMissingNode() && !m.path(f).asText().isEmpty())
                throw new IllegalArgumentException("BPE " + f + " is not supported");
        Map<String, Integer> vocab = new HashMap<>();
        m.path("vocab").properties().forEach(e -> vocab.put(e.getKey(), e.getValue().intValue()));
        if (vocab.isEmpty()) throw new IllegalArgumentException("model.vocab is empty");
        JsonNode merges = m.path("merges");
        String[][] pairs = new String[merges.size()][];
        for (int i = 0; i < pairs.length; i++) {
            JsonNode e = merges.get(i);
            if (e.isArray() && e.size() == 2) pairs[i] = new String[] {e.get(0).asText(), e.get(1).asText()};
            else if (e.isTextual() && e.asText().split(" ", -1).length == 2) pairs[i] = e.asText().split(" ", -1);
            else throw new IllegalArgumentException("model.merges[" + i + "] must be [a, b] or \"a b\", got " + e);
        }
        return new BpeModel(vocab, pairs, m.path("ignore_merges").asBoolean(false));
    }

    static List<AddedToken> addedTokens(JsonNode n) {
        List<AddedToken> out = new ArrayList<>();
        if (n == null) return out;
        for (JsonNode t : n)
            out.add(new AddedToken(t.path("id").asInt(-1), t.path("content").asText(""), t.path("special").asBoolean(false),
                    t.path("single_word").asBoolean(false), t.path("lstrip").asBoolean(false),
                    t.path("rstrip").asBoolean(false), t.path("normalized").asBoolean(true)));
        return out;
    }

    private static void checkDecoder(Path file, JsonNode root) {
        JsonNode d = root.get("decoder");
        if (d != null && !d.isNull() && !"ByteLevel".equals(type(d)))
            throw new TokenizerException(file, "decoder type '" + type(d) + "' is not supported (only ByteLevel)");
    }

    /**
     * The ids the post-processor puts around a single sequence, {prefix, suffix}: none for ByteLevel (Qwen),
     * the special tokens of a TemplateProcessing "single" template (transformers 5 writes an empty one), or the
     * concatenation over a Sequence of those.
     */
    static int[][] postProcessor(JsonNode p) {
        int[][] none = {new int[0], new int[0]};
        if (p == null || p.isNull()) return none;
        return switch (type(p)) {
            case "ByteLevel" -> none;
            case "TemplateProcessing" -> template(p);
            case "Sequence" -> {
                int[][] acc = none;
                for (JsonNode c : p.path("processors")) {
                    int[][] q = postProcessor(c);
                    acc = new int[][] {concat(acc[0], q[0]), concat(q[1], acc[1])};
                }
                yield acc;
            }
            default -> throw new IllegalArgumentException("post_processor type '" + type(p) + "' is not supported");
        };
    }

    private static int[][] template(JsonNode p) {
        List<Integer> prefix = new ArrayList<>(), suffix = new ArrayList<>();
        boolean seenSequence = false;
        for (JsonNode item : p.path("single")) {
            if (item.has("Sequence")) {
                if (seenSequence || !"A".equals(item.get("Sequence").path("id").asText()))
                    throw new IllegalArgumentException("TemplateProcessing single template must hold sequence A once");
                seenSequence = true;
            } else if (item.has("SpecialToken")) {
                String id = item.get("SpecialToken").path("id").asText();
                JsonNode ids = p.path("special_tokens").path(id).path("ids");
                if (!ids.isArray() || ids.isEmpty())
                    throw new IllegalArgumentException("TemplateProcessing special token '" + id + "' has no ids");
                for (JsonNode i : ids) (seenSequence ? suffix : prefix).add(i.asInt());
            } else throw new IllegalArgumentException("TemplateProcessing item " + item + " is not supported");
        }
        if (!seenSequence) throw new IllegalArgumentException("TemplateProcessing single template lacks sequence A");
        return new int[][] {prefix.stream().mapToInt(Integer::intValue).toArray(), suffix.stream().mapToInt(Integer::intValue).toArray()};
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
