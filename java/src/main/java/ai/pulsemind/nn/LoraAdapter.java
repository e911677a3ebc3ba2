package ai.pulsemind.nn;

import ai.pulsemind.tensor.Tensor;

/**
 * A low-rank update {@code ΔW = scaling · B·A} of a frozen linear layer, in PEFT's layout so adapters load in PEFT
 * and vLLM: {@code lora_A.weight} (r, In), {@code lora_B.weight} (Out, r), {@code scaling = alpha / r}.
 * {@code enabled = false} gives the base model — CRPO's KL reference — without a second copy of the weights.
 */
public final class LoraAdapter {
    private final Tensor a; // (r, In)
    private final Tensor b; // (Out, r)
    private final float scaling;
    private boolean enabled = true;

    public LoraAdapter(Tensor a, Tensor b, float alpha) {
        if (a.rank() != 2 || b.rank() != 2 || a.dim(0) != b.dim(1))
            throw new IllegalArgumentException("LoRA A " + a.shape() + " and B " + b.shape() + " do not share rank r");
        this.a = a;
        this.b = b;
        this.scaling = alpha / a.dim(0);
    }

    public Tensor a() { return a; }

    public Tensor b() { return b; }

    public int rank() { return a.dim(0); }

    public float scaling() { return scaling; }

    public boolean enabled() { return enabled; }

    public void setEnabled(boolean on) { this.enabled = on; }
}
