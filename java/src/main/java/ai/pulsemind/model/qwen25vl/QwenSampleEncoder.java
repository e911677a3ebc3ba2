package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.EncodedImage;
import ai.pulsemind.data.EncodedSample;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Role;
import ai.pulsemind.data.SampleEncoder;
import ai.pulsemind.data.Turn;
import ai.pulsemind.data.images.DecodedImage;
import ai.pulsemind.data.images.ImageDecoder;
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
import java.util.Arrays;
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
        for (int i = 0; i < record.turns().size(); i++) refuseSpecialTokens(record.id() + ": turns[" + i + "].text", record.turns().get(i).text());
        Conversation conv = Conversation.ofRecord(record, record.turns().size(), null, systemPrompt);
        int[] ids = tokenizer.encode(template.render(templateMessages(conv.messages()), false)); // one pad per image shown
        byte[] mask = assistantMask(ids, record);
        EncodedImage[] processed = new EncodedImage[images.size()];
        List<EncodedImage> placed = new ArrayList<>();
        for (int k : shownImages(record)) {
            if (processed[k] == null) processed[k] = process(images.get(k), record.id() + ": images[" + k + "]");
            placed.add(processed[k]);
        }
        Expanded e = expand(record.id(), ids, mask, placed, 0);
        int n = e.ids.length;
        int[][] positions = new int[3][n];
        for (int r = 0; r < 3; r++) System.arraycopy(e.positions, r * n, positions[r], 0, n);
        return new EncodedSample(record.id(), e.ids, e.mask, placed, positions);
    }

    /**
     * The chat messages of a record (OpenAI style, as {@code apply_chat_template} takes them), exactly what
     * {@link #encode} renders; {@code shown} receives the record image index of each image part in order.
     */
    public List<Map<String, Object>> messages(MediRecord record, List<Integer> shown) {
        shown.addAll(shownImages(record));
        return templateMessages(Conversation.ofRecord(record, record.turns().size(), null, systemPrompt).messages());
    }

    /** Record image index of each image a turn shows, in order of appearance (one pad run each). */
    private static List<Integer> shownImages(MediRecord record) {
        List<Integer> shown = new ArrayList<>();
        for (int i = 0; i < record.turns().size(); i++)
            for (String imageId : record.turns().get(i).images()) {
                int k = record.images().indexOf(record.image(imageId));
                if (k < 0) throw new IllegalArgumentException(record.id() + ": turns[" + i + "].images: no image with id '" + imageId + "'");
                shown.add(k);
            }
        return shown;
    }

    // ------------------------------------------------------------------ generation

    /**
     * A conversation as a generation prompt: rendered by the chat template with the generation prompt
     * ({@code <|im_start|>assistant\n}), tokenized, its images decoded ({@code data/images}: EXIF, DICOM,
     * window/level), processed and their pads expanded, with M-RoPE positions. The same rendering, tokenization
     * and positions as {@link #encode} (training) gives the same conversation: a record encoded for training and
     * its prefix up to a doctor turn encoded here agree token for token and position for position on the prefix.
     * The encoder's system prompt applies when the conversation has none of its own.
     *
     * @throws IllegalArgumentException for an empty conversation, a message with a special token in its text, or
     *                                  an image that cannot be read or decoded (naming the message and the image)
     */
    public Prompt forGeneration(Conversation conversation) {
        if (conversation.isEmpty()) throw new IllegalArgumentException("messages: the conversation is empty");
        Conversation conv = withSystemPrompt(conversation);
        for (int i = 0; i < conv.messages().size(); i++) refuseSpecialTokens("messages[" + i + "]", conv.messages().get(i).text());
        int[] ids = tokenizer.encode(template.render(templateMessages(conv.messages()), true));
        List<EncodedImage> placed = decodeImages(conv.images());
        Expanded e = expand("prompt", ids, new byte[ids.length], placed, 0);
        return new Prompt(e.ids, placed, e.positions, e.next, conv);
    }

    /**
     * The prompt with generated ids appended as they are (never decoded and re-tokenized), at the next text
     * positions; the conversation gains (or extends) the assistant message with their decoded text.
     *
     * @throws IllegalArgumentException for an {@code <|image_pad|>} id (a placeholder the model cannot generate:
     *                                  the engine never samples it) or an id outside the tokenizer's vocabulary
     */
    public Prompt withCompletion(Prompt prompt, int[] newIds) {
        int n = prompt.length(), m = newIds.length;
        for (int id : newIds)
            if (id == imageTokenId || tokenizer.idToToken(id) == null)
                throw new IllegalArgumentException("completion: id " + id + (id == imageTokenId ? " is the image placeholder" : " is not in the vocabulary"));
        int[] ids = Arrays.copyOf(prompt.ids(), n + m);
        System.arraycopy(newIds, 0, ids, n, m);
        RopeIndex tail = RopeIndex.text(m, prompt.nextPosition());
        Conversation conv = prompt.conversation();
        if (conv != null) {
            String text = tokenizer.decode(newIds, true);
            if (!conv.isEmpty() && conv.last().speaker() == Conversation.Speaker.ASSISTANT && conv.last().images().isEmpty()) {
                List<Conversation.Message> msgs = new ArrayList<>(conv.messages());
                msgs.set(msgs.size() - 1, Conversation.Message.text(Conversation.Speaker.ASSISTANT, conv.last().text() + text));
                conv = new Conversation(msgs);
            } else {
                conv = conv.plus(Conversation.Speaker.ASSISTANT, text);
            }
        }
        return new Prompt(ids, prompt.images(), concatPositions(prompt.positions(), n, tail.positions(), m), tail.next(), conv);
    }

    /**
     * The next turns after a completed reply: what the chat template renders after the reply's content (its
     * {@code <|im_end|>} unless the reply's ids already end with it, then the new messages and the generation
     * prompt) is tokenized and appended; nothing before is re-tokenized. Used by multi-turn chat, so the model
     * sees its own earlier ids.
     *
     * @param prompt a prompt whose conversation ends with an assistant reply ({@link #withCompletion})
     * @param more   the new messages (user turns, with images if any); not system messages
     */
    public Prompt followUp(Prompt prompt, List<Conversation.Message> more) {
        Conversation conv = prompt.conversation();
        if (conv == null || conv.isEmpty() || conv.last().speaker() != Conversation.Speaker.ASSISTANT)
            throw new IllegalArgumentException("follow-up: the prompt does not end with an assistant reply");
        if (more.isEmpty()) throw new IllegalArgumentException("follow-up: no new messages");
        List<Conversation.Message> shown = new ArrayList<>(conv.messages());
        shown.set(shown.size() - 1, Conversation.Message.text(Conversation.Speaker.ASSISTANT, REPLY_MARK));
        String before = template.render(templateMessages(shown), false);
        Conversation next = new Conversation(conv.messages()).plus(more.get(0));
        for (int i = 1; i < more.size(); i++) next = next.plus(more.get(i));
        for (int i = 0; i < more.size(); i++) refuseSpecialTokens("messages[" + (conv.messages().size() + i) + "]", more.get(i).text());
        shown.addAll(more);
        String after = template.render(templateMessages(shown), true);
        int cut = before.lastIndexOf(REPLY_MARK);
        if (cut < 0 || !after.startsWith(before.substring(0, cut + REPLY_MARK.length())))
            throw new IllegalArgumentException(template.source() + ": the chat template renders earlier messages differently "
                    + "when more follow, so a reply cannot be kept as generated ids");
        String tail = after.substring(cut + REPLY_MARK.length());
        int n = prompt.length();
        if (n > 0 && prompt.ids()[n - 1] == imEnd && tail.startsWith("<|im_end|>")) tail = tail.substring("<|im_end|>".length());
        int[] tailIds = tokenizer.encode(tail);
        List<EncodedImage> added = decodeImages(new Conversation(more).images());
        Expanded e = expand("follow-up", tailIds, new byte[tailIds.length], added, prompt.nextPosition());
        int[] ids = Arrays.copyOf(prompt.ids(), n + e.ids.length);
        System.arraycopy(e.ids, 0, ids, n, e.ids.length);
        List<EncodedImage> images = new ArrayList<>(prompt.images());
        images.addAll(added);
        return new Prompt(ids, images, concatPositions(prompt.positions(), n, e.positions, e.ids.length), e.next, next);
    }

    /** A private-use marker standing in for a reply's content while the template renders what follows it. */
    private static final String REPLY_MARK = "\uE000reply\uE000";

    private Conversation withSystemPrompt(Conversation c) {
        if (systemPrompt == null || c.messages().getFirst().speaker() == Conversation.Speaker.SYSTEM) return c;
        List<Conversation.Message> msgs = new ArrayList<>(c.messages().size() + 1);
        msgs.add(Conversation.Message.text(Conversation.Speaker.SYSTEM, systemPrompt));
        msgs.addAll(c.messages());
        return new Conversation(msgs);
    }

    /** Decodes and processes a conversation's images in order; errors name the image. */
    private List<EncodedImage> decodeImages(List<Conversation.ImageSource> sources) {
        List<EncodedImage> out = new ArrayList<>(sources.size());
        for (Conversation.ImageSource src : sources) {
            DecodedImage im;
            try {
                im = switch (src) {
                    case Conversation.ImageFile f -> ImageDecoder.decode(f.path(), imageOptions());
                    case Conversation.InlineImage i -> ImageDecoder.decode(i.label(), i.bytes(), imageOptions());
                };
            } catch (java.io.IOException | RuntimeException e) {
                String msg = e.getMessage() == null ? e.toString() : e.getMessage();
                throw new IllegalArgumentException(msg.startsWith(src.label()) ? msg : src.label() + ": " + msg, e);
            }
            out.add(process(im, src.label()));
        }
        return out;
    }

    private static int[] concatPositions(int[] a, int n, int[] b, int m) {
        int[] out = new int[3 * (n + m)];
        for (int r = 0; r < 3; r++) {
            System.arraycopy(a, r * n, out, r * (n + m), n);
            System.arraycopy(b, r * m, out, r * (n + m) + n, m);
        }
        return out;
    }

    // ------------------------------------------------------------------ shared

    /**
     * Messages as the chat template takes them: a message with images gets a list content (its parts in order,
     * {@code {type: image}} and {@code {type: text}}), one without gets its text as a plain string. Qwen's template
     * renders both forms to the same text.
     */
    private static List<Map<String, Object>> templateMessages(List<Conversation.Message> messages) {
        List<Map<String, Object>> out = new ArrayList<>(messages.size());
        for (Conversation.Message m : messages) {
            String role = m.speaker().openAi();
            if (m.images().isEmpty()) {
                out.add(Map.of("role", role, "content", m.text()));
                continue;
            }
            List<Map<String, Object>> parts = new ArrayList<>();
            for (Conversation.Part p : m.parts()) {
                if (p instanceof Conversation.Text t) { if (!t.text().isEmpty()) parts.add(Map.of("type", "text", "text", t.text())); }
                else parts.add(Map.of("type", "image"));
            }
            out.add(Map.of("role", role, "content", parts));
        }
        return out;
    }

    private void refuseSpecialTokens(String where, String text) {
        if (!text.contains("<|")) return; // every Qwen special token starts so; the common case costs one scan
        for (String sp : specialTexts)
            if (text.contains(sp))
                throw new IllegalArgumentException(where + " contains the special token " + sp + ", which would be read as chat structure");
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

    /** Ids and mask with every image placeholder expanded to its pads (mask 0), and their M-RoPE positions. */
    private record Expanded(int[] ids, byte[] mask, int[] positions, int next) {}

    /** Expands each placeholder to its pads (mask 0) and computes M-RoPE positions from {@code start}. */
    private Expanded expand(String id, int[] ids, byte[] mask, List<EncodedImage> placed, int start) {
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
        RopeIndex r = RopeIndex.of(tokens, imageTokenId, grids, mergeSize, start);
        return new Expanded(tokens, lossMask, r.positions(), r.next());
    }

    /** One image through the processor; errors name it as {@code where}. */
    private EncodedImage process(DecodedImage image, String where) {
        try {
            return patches.encode(image);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }
}
