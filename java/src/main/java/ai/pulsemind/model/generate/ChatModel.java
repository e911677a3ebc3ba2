package ai.pulsemind.model.generate;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.model.io.Qwen25VlCheckpoint;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.tokenize.ChatTemplate;
import ai.pulsemind.tokenize.ImageDecoder;
import ai.pulsemind.tokenize.ImagePads;
import ai.pulsemind.tokenize.ImageProcessor;
import ai.pulsemind.tokenize.RgbImage;
import ai.pulsemind.tokenize.Tokenizer;
import ai.pulsemind.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face model directory ready to chat: the checkpoint on a backend, its tokenizer, chat template and
 * image processor. Turns OpenAI-style messages (text parts, {@code {"type":"image","image":PATH}} and
 * {@code {"type":"image_url","image_url":{"url":"data:…;base64,…"}}}) into a model {@link Qwen25VL.Sequence}.
 */
public final class ChatModel implements AutoCloseable {
    private final Qwen25VlCheckpoint checkpoint;
    private final Qwen25VL model;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final ImageProcessor images;
    private final int[] stopIds;

    private ChatModel(Qwen25VlCheckpoint ckpt, Qwen25VL model, Tokenizer tok, ChatTemplate tpl, ImageProcessor images) {
        this.checkpoint = ckpt;
        this.model = model;
        this.tokenizer = tok;
        this.template = tpl;
        this.images = images;
        Set<Integer> stops = new LinkedHashSet<>(ckpt.config().eosTokenIds());
        int imEnd = tok.tokenToId("<|im_end|>");
        if (imEnd >= 0) stops.add(imEnd);
        this.stopIds = stops.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Opens {@code dir}; every missing or malformed file is a one-line error naming it. */
    public static ChatModel open(Path dir, Backend be) {
        Tokenizer tok = Tokenizer.fromModelDir(dir);
        ChatTemplate tpl = ChatTemplate.load(dir);
        ImageProcessor proc = ImageProcessor.load(dir);
        Qwen25VlCheckpoint ckpt = Qwen25VlCheckpoint.open(dir);
        try {
            return new ChatModel(ckpt, Qwen25VL.load(be, ckpt), tok, tpl, proc);
        } catch (RuntimeException e) {
            ckpt.close();
            throw e;
        }
    }

    public Qwen25VL model() { return model; }

    public Tokenizer tokenizer() { return tokenizer; }

    /** EOS ids from config.json and {@code <|im_end|>}. */
    public int[] stopIds() { return stopIds.clone(); }

    /**
     * Renders the messages with the chat template (generation prompt appended), decodes and processes their images,
     * expands image pads and tokenizes.
     *
     * @param baseDir where relative image paths are resolved
     */
    public Qwen25VL.Sequence prompt(List<Map<String, Object>> messages, Path baseDir) {
        List<RgbImage> pics = new ArrayList<>();
        for (Map<String, Object> m : messages) {
            if (!(m.get("content") instanceof List<?> parts)) continue;
            for (Object o : parts) if (o instanceof Map<?, ?> part) {
                RgbImage img = image(part, baseDir);
                if (img != null) pics.add(img);
            }
        }
        String text = template.render(messages, true);
        if (pics.isEmpty()) return Qwen25VL.Sequence.text(tokenizer.encode(text));
        ImageProcessor.Processed p = images.process(pics);
        int merge = images.config().mergeSize();
        int[] ids = tokenizer.encode(ImagePads.expandText(text, "<|image_pad|>", p.gridThw(), merge));
        List<Qwen25VL.Image> list = new ArrayList<>();
        int at = 0;
        for (int[] g : p.gridThw()) {
            int n = g[0] * g[1] * g[2];
            Tensor rows = p.pixelValues().narrow(0, at, n);
            list.add(new Qwen25VL.Image(rows, g));
            at += n;
        }
        return new Qwen25VL.Sequence(ids, list);
    }

    private static RgbImage image(Map<?, ?> part, Path baseDir) {
        Object type = part.get("type");
        if ("image".equals(type) || (type == null && part.get("image") instanceof String)) {
            Object ref = part.get("image");
            if (!(ref instanceof String s)) throw new IllegalArgumentException("image part has no \"image\" path: " + part);
            return fromReference(s, baseDir);
        }
        if ("image_url".equals(type)) {
            if (!(part.get("image_url") instanceof Map<?, ?> u) || !(u.get("url") instanceof String url))
                throw new IllegalArgumentException("image_url part has no \"image_url\": {\"url\": …}: " + part);
            return fromReference(url, baseDir);
        }
        return null;
    }

    /** A data: URL, a file: URL or a path (relative to baseDir). Remote URLs are refused: no network access. */
    private static RgbImage fromReference(String ref, Path baseDir) {
        if (ref.startsWith("data:")) {
            int comma = ref.indexOf(',');
            if (comma < 0 || !ref.substring(0, comma).endsWith(";base64"))
                throw new IllegalArgumentException("image data URL must be base64 (data:image/…;base64,…)");
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(ref.substring(comma + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("image data URL is not valid base64: " + e.getMessage());
            }
            return ImageDecoder.decode(bytes, Path.of("data-url"));
        }
        if (ref.startsWith("http://") || ref.startsWith("https://"))
            throw new IllegalArgumentException("image " + ref + ": remote URLs are not fetched; download it and pass the path");
        Path p = ref.startsWith("file://") ? Path.of(java.net.URI.create(ref)) : baseDir.resolve(ref);
        if (!Files.isRegularFile(p)) throw new IllegalArgumentException("image " + p + " does not exist");
        return ImageDecoder.read(p);
    }

    @Override public void close() { checkpoint.close(); }
}
