package ai.pulsemind.train;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.model.io.Qwen25VlCheckpoint;
import ai.pulsemind.model.io.Qwen25VlConfig;
import ai.pulsemind.model.io.VisionConfig;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.nn.ForwardMode;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One full SFT optimiser step on a fixed synthetic batch, for timing: B sequences of T tokens, each
 * {@code <|vision_start|>}, the pads of one square image, {@code <|vision_end|>}, then random text ids; the
 * causal-LM loss on every next token that is not an image marker; forward (LoRA with dropout, frozen vision tower),
 * backward, global-norm clipping at 1 and AdamW. The same step {@code bench/peers/sft_step_peer.py} times in
 * PyTorch: text ids uniform in [0, vision_start − 16), pixel values N(0, 1).
 *
 * <pre>
 *   ids (B·T) packed, image (1, side/14, side/14) patches → (side/28)² tokens per sequence
 *   step: zeroGrad → forward + loss → backward → ‖g‖ → AdamW(lr 2e-4, β (0.9, 0.999), clip 1)
 * </pre>
 */
public final class SyntheticSftStep implements AutoCloseable {
    private final Ops ops;
    private final Qwen25VL model;
    private final ParamStore store;
    private final List<Qwen25VL.Sequence> seqs;
    private final int[] targets;
    private final long targetCount;
    private final ParamStore.AdamW adamw = new ParamStore.AdamW(0.9f, 0.999f, 1e-8f, 0f);
    private final List<Tensor> pixels = new ArrayList<>();
    private int step;
    private AutoCloseable owned;
    private static final CausalLm OBJECTIVE = new CausalLm(LossScope.ALL, java.util.Set.of()); // targets are given

    /** The batch's shape, for reports. */
    public record Shape(int batch, int tokens, int imageTokens, int patches, long trainable, long parameters) {}

    private final Shape shape;

    /**
     * @param ckpt       the model (its weights are loaded onto {@code be}); LoRA per {@code lora} is attached, or
     *                   every text parameter is trained when {@code lora} is disabled (rank 0)
     * @param imageSide  square image side in pixels (a multiple of 28)
     */
    public SyntheticSftStep(Backend be, Qwen25VlCheckpoint ckpt, LoraConfig lora, int batch, int tokens, int imageSide, long seed) {
        Qwen25VlConfig cfg = ckpt.config();
        VisionConfig vc = cfg.vision();
        int unit = vc.patchSize() * vc.spatialMergeSize();
        if (imageSide < unit || imageSide % unit != 0) throw new IllegalArgumentException("--image must be a positive multiple of " + unit + ", got " + imageSide);
        int side = imageSide / vc.patchSize(), patches = side * side, imageTokens = patches / (vc.spatialMergeSize() * vc.spatialMergeSize());
        if (tokens < imageTokens + 4) throw new IllegalArgumentException("--tokens must be at least " + (imageTokens + 4) + " for the image, got " + tokens);
        this.ops = new Ops(be);
        this.model = Qwen25VL.load(be, ckpt);
        Lora l = lora.enabled() ? Lora.attach(be, model, lora, seed) : null;
        this.store = ParamStore.of(be, l != null ? l.tensors() : SftRun.fullTrainable(model, false), ParamStore::defaultDecay);
        SplittableRandom rnd = new SplittableRandom(seed);
        int textIds = cfg.visionStartTokenId() - 16;
        seqs = new ArrayList<>();
        targets = new int[batch * tokens];
        java.util.Arrays.fill(targets, -1);
        long counted = 0;
        for (int b = 0; b < batch; b++) {
            int[] ids = new int[tokens];
            ids[0] = cfg.visionStartTokenId();
            for (int i = 1; i <= imageTokens; i++) ids[i] = cfg.imageTokenId();
            ids[imageTokens + 1] = cfg.visionEndTokenId();
            for (int i = imageTokens + 2; i < tokens; i++) ids[i] = rnd.nextInt(textIds);
            for (int i = 0; i + 1 < tokens; i++) {
                int next = ids[i + 1];
                if (next != cfg.imageTokenId() && next != cfg.visionStartTokenId() && next != cfg.visionEndTokenId()) {
                    targets[b * tokens + i] = next;
                    counted++;
                }
            }
            float[] px = new float[patches * vc.patchDim()];
            for (int i = 0; i < px.length; i++) px[i] = (float) gaussian(rnd);
            Tensor p = AllocationScope.outside(() -> Tensor.of(px, patches, vc.patchDim()));
            pixels.add(p);
            seqs.add(new Qwen25VL.Sequence(ids, List.of(new Qwen25VL.Image(p, new int[] {1, side, side}))));
        }
        targetCount = counted;
        long params = model.params().all().values().stream().mapToLong(Tensor::numel).sum();
        shape = new Shape(batch, tokens, imageTokens, patches, store.count(), params);
    }

    public Shape shape() { return shape; }

    /** Runs one optimiser step; returns its loss (finished: the backend is synchronised). */
    public double step() {
        store.zeroGrad();
        double loss;
        try (var scope = AllocationScope.open()) {
            ForwardMode mode = ForwardMode.training(Trainer.dropoutKey(7, step, 0), false);
            Tensor l = OBJECTIVE.loss(ops, model, seqs, targets, targetCount, mode);
            loss = CausalLm.hostFloats(ops.backend(), l)[0];
            ops.backward(l);
        }
        double norm = store.gradNorm();
        float scale = norm > 1.0 ? (float) (1.0 / (norm + 1e-6)) : 1f;
        store.adamw(adamw, 2e-4f, scale, ++step);
        ops.backend().synchronize();
        return loss;
    }

    static double gaussian(SplittableRandom r) {
        double u = Math.max(1e-12, r.nextDouble()), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    @Override
    public void close() {
        store.close();
        pixels.forEach(Tensor::close);
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Opens {@code modelDir} and builds the step (the checkpoint stays open while the step lives). */
    public static SyntheticSftStep open(Backend be, Path modelDir, LoraConfig lora, int batch, int tokens, int imageSide, long seed) {
        Qwen25VlCheckpoint ck = Qwen25VlCheckpoint.open(modelDir);
        SyntheticSftStep s = new SyntheticSftStep(be, ck, lora, batch, tokens, imageSide, seed);
        s.owned = ck;
        return s;
    }
}
