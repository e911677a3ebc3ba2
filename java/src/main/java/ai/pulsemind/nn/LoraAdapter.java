package ai.pulsemind.nn;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.tensor.Tensor;

/**
 * A low-rank update {@code ΔW = scaling · B·A} of a frozen linear layer, in PEFT's layout so adapters load in PEFT
 * and vLLM: {@code lora_A.weight} (r, In), {@code lora_B.weight} (Out, r). {@code scaling = alpha / r}, or
 * {@code alpha / √r} with rsLoRA. Dropout applies to the adapter's input only (PEFT's {@code lora_dropout}).
 * Whether the adapter is applied is the caller's choice per forward ({@link ForwardMode}); the adapter holds no
 * switch, so the base model (CRPO's reference) and the adapted one share these weights without a second copy.
 */
public final class LoraAdapter {
    private final Tensor a; // (r, In)
    private final Tensor b; // (Out, r)
    private final float scaling;
    private final float dropout;
    private final int site;

    /**
     * @param scaling the factor on B·A ({@link #scaling(float, int, boolean)})
     * @param dropout probability of zeroing an input element in training, in [0, 1)
     * @param site    this adapter's number in its model, which keys its dropout masks
     */
    public LoraAdapter(Tensor a, Tensor b, float scaling, float dropout, int site) {
        if (a.rank() != 2 || b.rank() != 2 || a.dim(0) != b.dim(1))
            throw new IllegalArgumentException("LoRA A " + a.shape() + " and B " + b.shape() + " do not share rank r");
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        this.a = a;
        this.b = b;
        this.scaling = scaling;
        this.dropout = dropout;
        this.site = site;
    }

    /** PEFT's scaling: {@code alpha / r}, or {@code alpha / sqrt(r)} with rsLoRA ({@code use_rslora}). */
    public static float scaling(float alpha, int rank, boolean rsLora) {
        return (float) (rsLora ? alpha / Math.sqrt(rank) : alpha / rank);
    }

    public Tensor a() { return a; }

    public Tensor b() { return b; }

    public int rank() { return a.dim(0); }

    public float scaling() { return scaling; }

    public float dropout() { return dropout; }

    public int site() { return site; }

    /** {@code scaling · (drop(x)·Aᵀ)·Bᵀ}: x (…, In) → (…, Out). */
    public Tensor delta(Ops ops, Tensor x, ForwardMode mode) {
        Tensor in = mode.dropout() && dropout > 0 ? Dropout.apply(ops, x, dropout, mode.dropoutKey(), site) : x;
        return ops.scale(ops.linear(ops.linear(in, a, null), b, null), scaling);
    }
}
