package ai.pulsemind.model.io;

import java.util.List;

/**
 * A Qwen2.5-VL checkpoint's {@code config.json}, in either layout (see {@link HfConfigReader}).
 *
 * @param text               the language model
 * @param vision             the vision tower
 * @param tieWordEmbeddings  lm_head shares the embedding matrix (the checkpoint may then omit lm_head.weight)
 * @param imageTokenId       {@code <|image_pad|>}: one per merged image token in the prompt
 * @param videoTokenId       {@code <|video_pad|>}
 * @param visionStartTokenId {@code <|vision_start|>}
 * @param visionEndTokenId   {@code <|vision_end|>}
 * @param bosTokenId         -1 when absent
 * @param eosTokenIds        ids that end generation (config.json's eos_token_id, an int or a list)
 * @param layout             which config.json layout it came from
 */
public record Qwen25VlConfig(TextConfig text, VisionConfig vision, boolean tieWordEmbeddings, int imageTokenId,
                             int videoTokenId, int visionStartTokenId, int visionEndTokenId, int bosTokenId,
                             List<Integer> eosTokenIds, Layout layout) {
    /** The two shapes of config.json in circulation. */
    public enum Layout {
        /** As published with the Qwen2.5-VL checkpoints: text fields at top level, rope_scaling {type: mrope}. */
        PUBLISHED,
        /** As transformers 5 saves it: text_config, rope_parameters. */
        TRANSFORMERS5
    }

    public Qwen25VlConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (vision.outHiddenSize() != text.hiddenSize())
            throw new IllegalArgumentException("vision_config.out_hidden_size " + vision.outHiddenSize()
                    + " must equal the language model's hidden_size " + text.hiddenSize());
        for (int id : new int[] {imageTokenId, videoTokenId, visionStartTokenId, visionEndTokenId})
            if (id < 0 || id >= text.vocabSize())
                throw new IllegalArgumentException("special token id " + id + " lies outside vocab_size " + text.vocabSize());
    }
}
