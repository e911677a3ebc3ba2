package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.data.EncodedImage;
import ai.pulsemind.data.EncodedSample;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Role;
import ai.pulsemind.data.SampleEncoder;
import ai.pulsemind.data.Turn;
import ai.pulsemind.data.images.DecodedImage;
import ai.pulsemind.model.io.HfConfigReader;
import ai.pulsemind.model.io.Qwen25VlConfig;

import ai.pulsemind.tokenize.AddedToken;
import ai.pulsemind.tokenize.ChatTemplate;
import ai.pulsemind.tokenize.ImagePads;
import ai.pulsemind.tokenize.ImageProcessor;
import ai.pulsemind.tokenize.QwenPatches;
import ai.pulsemind.tokenize.Tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * MediScope records as Qwen2.5-VL training samples, the way transformers and TRL prepare a conversation for SFT with
 * {@code assistant_only_loss}.
 *
 * <p>Messages: patient turns become {@code user} messages, doctor turns {@code assistant} messages. A turn that shows
 * images gets a list content, one {@code {type: image}} part per image id in the turn's order, then one
 * {@code {type: text}} part (left out when the text is empty); a turn without images gets its text as a plain string.
 * Qwen's template renders both forms to the same text. An optional system prompt becomes a leading {@code system}
 * message; without one, the template's own default applies (Qwen2.5-VL's: "You are a helpful assistant."), which
 * is what {@code apply_chat_template} renders for the same messages. The template is rendered without a generation
 * prompt, image placeholders are expanded to t·h·w/merge² {@code <|image_pad|>} tokens, and positions are Qwen2.5-VL's
 * M-RoPE ids ({@link RopeIndex}, transformers' {@code get_rope_index}).
 *
 * <p>Loss mask: 1 on every token of an assistant message's content and on the {@code <|im_end|>} that closes it; 0
 * on the system prompt, user messages, the {@code <|im_start|>assistant\n} headers, the newline after each
 * {@code <|im_end|>}, and on image placeholders ({@code <|vision_start|>}, pads, {@code <|vision_end|>}) even inside
 * an assistant message. These are the tokens transformers' {@code return_assistant_tokens_mask} marks for a
 * template whose {@code {% generation %}} block wraps {@code content + <|im_end|>} (TRL's training templates do),
 * less image placeholders, which a VLM collator ignores anyway.
 *
 * <p>How the spans are found: on the token ids of the rendered conversation, not on text offsets. The Qwen tokenizer
 * cuts added tokens out before BPE, so {@code <|im_start|>} and {@code <|im_end|>} are always single tokens wherever
 * they stand, and a span is the run from the end of the header {@code assistant\n} to the next {@code <|im_end|>}.
 * The header is compared on the tokens' byte-level strings, so it is found even when BPE merges its newline with a
 * message that starts with whitespace; such a straddling token carries content and is trained on, as transformers'
 * offset-overlap rule does. This needs one render and one tokenization per record (rendering every prefix would
 * be quadratic in turns). It holds because (1) the constructor checks the template is ChatML, rendering a probe
 * conversation; (2) a turn whose text contains a special token such as {@code <|im_end|>} is refused, so text
 * cannot fake a header; (3) each record must yield exactly one span per doctor turn.
 *
 * <p>Images: the decoded 8-bit RGB is processed as is ({@link #imageOptions()} asks the loader for no resizing of
 * its own), so smart resize within the processor's min/max pixels and the bicubic match transformers' processor;
 * normalising and patching are one pass ({@link QwenPatches}), bit-identical to {@link ImageProcessor}'s.
 * An image shown by several turns is processed once and listed once per placeholder. Thread-safe: all state is
 * immutable, and the tokenizer, template and processor are thread-safe.
 */
public final class QwenSampleEncoder implements SampleEncoder {
    /** Chat roles of the MediScope roles. */
    public static final String PATIENT_ROLE = "user", DOCTOR_ROLE = "assistant";

    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final ImageProcessor processor;
    private final QwenPatches patches;
    private final String systemPrompt; // null: the template's default
    private final int imageTokenId, visionStartId, visionEndId, imStart, imEnd, mergeSize;
    private final String header; // byte-level token text of "assistant\n"
    private final List<String> specialTexts; // special added tokens a turn's text may not contain

    /**
     * @param systemPrompt the system message's text, or null for the template's default
     */
    public QwenSampleEncoder(Tokenizer tokenizer, ChatTemplate template, ImageProcessor processor, Qwen25VlConfig config,
                             String systemPrompt) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.processor = processor;
        this.patches = new QwenPatches(processor);
        this.systemPrompt = systemPrompt;
        this.imageTokenId = config.imageTokenId();
        this.visionStartId = config.visionStartTokenId();
        this.visionEndId = config.visionEndTokenId();
        this.mergeSize = config.vision().spatialMergeSize();
        if (processor.config().mergeSize() != mergeSize)
            throw new IllegalArgumentException("the image processor merges " + processor.config().mergeSize()
                    + " patches per side, config.json's vision_config.spatial_merge_size is " + mergeSize);
        if (tokenizer.requireId("<|image_pad|>") != imageTokenId)
            throw new IllegalArgumentException("config.json's image_token_id " + imageTokenId + " is not the tokenizer's <|image_pad|> ("
                    + tokenizer.requireId("<|image_pad|>") + ")");
        this.imStart = tokenizer.requireId("<|im_start|>");
        this.imEnd = tokenizer.requireId("<|im_end|>");
        this.header = tokenText(tokenizer.encode(DOCTOR_ROLE + "\n"));
        this.specialTexts = tokenizer.addedTokens().stream().filter(AddedToken::special).map(AddedToken::content).toList();
        checkChatMl();
    }

    /** The encoder of a Hugging Face model directory: tokenizer.json, chat template, processor and config.json. */
    public static QwenSampleEncoder load(Path modelDir, String systemPrompt) {
        return new QwenSampleEncoder(Tokenizer.fromModelDir(modelDir), ChatTemplate.load(modelDir),
                ImageProcessor.load(modelDir), HfConfigReader.read(modelDir), systemPrompt);
    }

    public static QwenSampleEncoder load(Path modelDir) { return load(modelDir, null); }

    public Tokenizer tokenizer() { return tokenizer; }

    public ImageProcessor processor() { return processor; }

    /** The span finder relies on ChatML: each message is {@code <|im_start|>role\ncontent<|im_end|>}. */
    private void checkChatMl() {
        String text = template.render(List.of(Map.of("role", PATIENT_ROLE, "content", "P"),
                Map.of("role", DOCTOR_ROLE, "content", "D")), false);
        if (!text.contains("<|im_start|>" + PATIENT_ROLE + "\nP<|im_end|>") || !text.contains("<|im_start|>" + DOCTOR_ROLE + "\nD<|im_end|>"))
            throw new IllegalArgumentException(template.source() + ": the chat template does not render ChatML "
                    + "(<|im_start|>role\\ncontent<|im_end|>), which the loss mask needs to find assistant messages; got: "
                    + text.replace("\n", "\\n"));
    }

    @Override
    public EncodedSample encode(MediRecord record, List<DecodedImage> images) {
        if (images.size() != record.images().size())
            throw new IllegalArgumentException(record.id() + ": " + images.size() + " decoded images for " + record.images().size() + " listed");
        List<Integer> shown = new ArrayList<>(); // record image index per placeholder, in order
        String text = template.render(messages(record, shown), false);
        int[] ids = tokenizer.encode(text); // (n) one <|image_pad|> per image shown
        byte[] mask = assistantMask(ids, record);
        EncodedImage[] processed = new EncodedImage[images.size()];
        List<EncodedImage> placed = new ArrayList<>(shown.size());
        for (int k : shown) {
            if (processed[k] == null) processed[k] = process(images.get(k), record, k);
            placed.add(processed[k]);
        }
        return expand(record.id(), ids, mask, placed);
    }

    /**
     * The chat messages of a record (OpenAI style, as {@code apply_chat_template} takes them); {@code shown}
     * receives the record image index of each image part in order.
     */
    public List<Map<String, Object>> messages(MediRecord record, List<Integer> shown) {
        List<Map<String, Object>> out = new ArrayList<>(record.turns().size() + 1);
        if (systemPrompt != null) out.add(Map.of("role", "system", "content", systemPrompt));
        for (int i = 0; i < record.turns().size(); i++) {
            Turn t = record.turns().get(i);
            refuseSpecialTokens(record, i, t.text());
            String role = t.role() == Role.DOCTOR ? DOCTOR_ROLE : PATIENT_ROLE;
            if (t.images().isEmpty()) {
                out.add(Map.of("role", role, "content", t.text()));
                continue;
            }
            List<Map<String, Object>> parts = new ArrayList<>();
            for (String imageId : t.images()) {
                int k = record.images().indexOf(record.image(imageId));
                if (k < 0) throw new IllegalArgumentException(record.id() + ": turns[" + i + "].images: no image with id '" + imageId + "'");
                shown.add(k);
                parts.add(Map.of("type", "image"));
            }
            if (!t.text().isEmpty()) parts.add(Map.of("type", "text", "text", t.text()));
            out.add(Map.of("role", role, "content", parts));
        }
        return out;
    }

    private void refuseSpecialTokens(MediRecord record, int turn, String text) {
        if (!text.contains("<|")) return; // every Qwen special token starts so; the common case costs one scan
        for (String s : specialTexts)
            if (text.contains(s))
                throw new IllegalArgumentException(record.id() + ": turns[" + turn + "].text contains the special token " + s
                        + ", which would be read as chat structure");
    }

    /** (n) 1 on assistant content tokens and the <|im_end|> closing each; one span per doctor turn. */
    private byte[] assistantMask(int[] ids, MediRecord record) {
        byte[] m = new byte[ids.length];
        int spans = 0;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] != imStart) continue;
            int j = contentStart(ids, i + 1);
            if (j < 0) continue;
            for (; j < ids.length && ids[j] != imEnd; j++) {
                if (ids[j] == imStart) break;
                m[j] = (byte) (ids[j] == imageTokenId || ids[j] == visionStartId || ids[j] == visionEndId ? 0 : 1);
            }
            if (j == ids.length || ids[j] != imEnd)
                throw new IllegalArgumentException(record.id() + ": an assistant message is not closed by <|im_end|>");
            m[j] = 1;
            spans++;
            i = j;
        }
        long doctor = record.turns().stream().filter(t -> t.role() == Role.DOCTOR).count();
        if (spans != doctor)
            throw new IllegalArgumentException(record.id() + ": found " + spans + " assistant messages in the rendered template for "
                    + doctor + " doctor turns");
        return m;
    }

    /**
     * The index of the first content token after an {@code assistant\n} header that starts at {@code from}, or -1
     * when the header names another role. A token holding the header's last bytes and the content's first counts as
     * content.
     */
    private int contentStart(int[] ids, int from) {
        int have = 0;
        for (int j = from; j < ids.length && !tokenizer.isSpecial(ids[j]); j++) {
            String t = tokenizer.idToToken(ids[j]);
            int take = Math.min(t.length(), header.length() - have);
            if (!header.regionMatches(have, t, 0, take)) return -1;
            have += take;
            if (have == header.length()) return take == t.length() ? j + 1 : j;
        }
        return -1;
    }

    private String tokenText(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) sb.append(tokenizer.idToToken(id));
        return sb.toString();
    }

    /** Expands each placeholder to its pads (mask 0) and computes M-RoPE positions. */
    private EncodedSample expand(String id, int[] ids, byte[] mask, List<EncodedImage> placed) {
        List<int[]> grids = new ArrayList<>(placed.size());
        int n = ids.length;
        for (EncodedImage e : placed) {
            int[] g = {e.gridT(), e.gridH(), e.gridW()};
            grids.add(g);
            n += ImagePads.tokens(g, mergeSize) - 1;
        }
        int[] tokens = new int[n]; // (T)
        byte[] lossMask = new byte[n]; // (T)
        int at = 0, image = 0;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] != imageTokenId) {
                tokens[at] = ids[i];
                lossMask[at++] = mask[i];
                continue;
            }
            if (image >= grids.size())
                throw new IllegalArgumentException(id + ": the rendered conversation has more image placeholders than the " + grids.size() + " images shown");
            for (int k = ImagePads.tokens(grids.get(image++), mergeSize); k > 0; k--) tokens[at++] = imageTokenId;
        }
        if (image != grids.size() || at != n)
            throw new IllegalArgumentException(id + ": the rendered conversation has " + image + " image placeholders for " + grids.size() + " images shown");
        int[] flat = RopeIndex.of(tokens, imageTokenId, grids, mergeSize).positions(); // (3, T) row-major
        int[][] positions = new int[3][n];
        for (int r = 0; r < 3; r++) System.arraycopy(flat, r * n, positions[r], 0, n);
        return new EncodedSample(id, tokens, lossMask, placed, positions);
    }

    /** One image through the processor, named in errors as the record's images[k]. */
    private EncodedImage process(DecodedImage image, MediRecord record, int k) {
        try {
            return patches.encode(image);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(record.id() + ": images[" + k + "]: " + e.getMessage(), e);
        }
    }
}
