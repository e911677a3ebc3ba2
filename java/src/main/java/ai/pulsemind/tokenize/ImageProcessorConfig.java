package ai.pulsemind.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Qwen2-VL image processing settings: {@code preprocessor_config.json} as published (min_pixels/max_pixels at the
 * top), or the {@code image_processor} object of the {@code processor_config.json} transformers 5 writes
 * ({@code size: {shortest_edge, longest_edge}}).
 *
 * @param minPixels         smallest resized area (size.shortest_edge)
 * @param maxPixels         largest resized area (size.longest_edge)
 * @param patchSize         vision patch side
 * @param temporalPatchSize frames per patch: an image is repeated this many times
 * @param mergeSize         patches merged per side into one LLM token
 * @param mean              per-channel normalisation mean (on the 0..1 scale)
 * @param std               per-channel normalisation std
 * @param rescaleFactor     pixel scale (1/255)
 * @param doResize          smart-resize first
 * @param doRescale         multiply by rescaleFactor
 * @param doNormalize       subtract mean, divide by std
 * @param resampler         which bicubic to use; transformers 5 defaults to torchvision's when torchvision is installed
 */
public record ImageProcessorConfig(int minPixels, int maxPixels, int patchSize, int temporalPatchSize, int mergeSize,
                                   List<Double> mean, List<Double> std, double rescaleFactor, boolean doResize,
                                   boolean doRescale, boolean doNormalize, Resampler resampler) {
    public static final List<Double> CLIP_MEAN = List.of(0.48145466, 0.4578275, 0.40821073);
    public static final List<Double> CLIP_STD = List.of(0.26862954, 0.26130258, 0.27577711);

    public ImageProcessorConfig {
        mean = List.copyOf(mean);
        std = List.copyOf(std);
        if (minPixels <= 0 || maxPixels < minPixels)
            throw new IllegalArgumentException("need 0 < min_pixels <= max_pixels, got " + minPixels + ", " + maxPixels);
        if (patchSize <= 0 || temporalPatchSize <= 0 || mergeSize <= 0)
            throw new IllegalArgumentException("patch_size, temporal_patch_size and merge_size must be > 0");
        if (mean.size() != 3 || std.size() != 3 || std.stream().anyMatch(s -> s == 0))
            throw new IllegalArgumentException("image_mean and image_std need 3 values (std non-zero), got " + mean + ", " + std);
    }

    /** transformers' Qwen2VLImageProcessor defaults. */
    public static ImageProcessorConfig defaults() {
        return new ImageProcessorConfig(56 * 56, 28 * 28 * 1280, 14, 2, 2, CLIP_MEAN, CLIP_STD, 1 / 255.0, true, true,
                true, Resampler.TORCHVISION);
    }

    public ImageProcessorConfig withResampler(Resampler r) {
        return new ImageProcessorConfig(minPixels, maxPixels, patchSize, temporalPatchSize, mergeSize, mean, std,
                rescaleFactor, doResize, doRescale, doNormalize, r);
    }

    /** The resize factor: sides become multiples of patch × merge. */
    public int factor() { return patchSize * mergeSize; }

    /** Reads a model directory's preprocessor_config.json, else its processor_config.json. */
    public static ImageProcessorConfig load(Path dir) {
        Path pre = dir.resolve("preprocessor_config.json"), proc = dir.resolve("processor_config.json");
        Path file = Files.exists(pre) ? pre : proc;
        if (!Files.exists(file))
            throw new TokenizerException(dir, "no preprocessor_config.json or processor_config.json (image processor settings)");
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new TokenizerException(file, ai.pulsemind.data.Json.describe(e), e);
        } catch (IOException e) {
            throw new TokenizerException(file, "cannot read: " + e.getMessage(), e);
        }
        if (file == proc) n = n.path("image_processor");
        if (!n.isObject()) throw new TokenizerException(file, "no image_processor settings");
        try {
            return parse(n);
        } catch (IllegalArgumentException e) {
            throw new TokenizerException(file, e.getMessage(), e);
        }
    }

    private static ImageProcessorConfig parse(JsonNode n) {
        ImageProcessorConfig d = defaults();
        JsonNode size = n.path("size");
        int min = n.has("min_pixels") ? n.get("min_pixels").asInt() : size.path("shortest_edge").asInt(d.minPixels);
        int max = n.has("max_pixels") ? n.get("max_pixels").asInt() : size.path("longest_edge").asInt(d.maxPixels);
        int resample = n.path("resample").asInt(3);
        if (resample != 3) throw new IllegalArgumentException("resample " + resample + " is not supported (only 3, bicubic)");
        return new ImageProcessorConfig(min, max, n.path("patch_size").asInt(d.patchSize),
                n.path("temporal_patch_size").asInt(d.temporalPatchSize), n.path("merge_size").asInt(d.mergeSize),
                doubles(n.get("image_mean"), d.mean), doubles(n.get("image_std"), d.std),
                n.path("rescale_factor").asDouble(d.rescaleFactor), n.path("do_resize").asBoolean(true),
                n.path("do_rescale").asBoolean(true), n.path("do_normalize").asBoolean(true), Resampler.TORCHVISION);
    }

    private static List<Double> doubles(JsonNode a, List<Double> dflt) {
        if (a == null || a.isNull()) return dflt;
        if (a.isNumber()) return List.of(a.asDouble(), a.asDouble(), a.asDouble());
        java.util.ArrayList<Double> out = new java.util.ArrayList<>();
        a.forEach(e -> out.add(e.asDouble()));
        return out;
    }
}
