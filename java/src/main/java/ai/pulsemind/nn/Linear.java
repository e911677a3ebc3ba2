package ai.pulsemind.nn;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.tensor.Tensor;

/** {@code y = x·Wᵀ + b (+ scaling·(x·Aᵀ)·Bᵀ with a LoRA adapter)}; W (Out, In), b (Out) or none. */
public final class Linear {
    private final Tensor weight; // (Out, In)
    private final Tensor bias;   // (Out) or null
    private LoraAdapter lora;

    public Linear(Tensor weight, Tensor bias) {
        if (weight.rank() != 2) throw new IllegalArgumentException("Linear weight must be (Out, In), got " + weight.shape());
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0)))
            throw new IllegalArgumentException("Linear bias " + bias.shape() + " does not match weight " + weight.shape());
        this.weight = weight;
        this.bias = bias;
    }

    public Tensor weight() { return weight; }

    public Tensor bias() { return bias; }

    public int in() { return weight.dim(1); }

    public int out() { return weight.dim(0); }

    /** The attached adapter, or null. */
    public LoraAdapter lora() { return lora; }

    /** Attaches (or, with null, removes) a LoRA adapter. Set up once, before training or serving starts. */
    public void attach(LoraAdapter adapter) {
        if (adapter != null && (adapter.a().dim(1) != in() || adapter.b().dim(0) != out()))
            throw new IllegalArgumentException("LoRA A " + adapter.a().shape() + ", B " + adapter.b().shape()
                    + " do not fit a linear layer " + weight.shape());
        this.lora = adapter;
    }

    /** x (…, In) → (…, Out), with the adapter applied when there is one ({@link ForwardMode#INFERENCE}). */
    public Tensor forward(Ops ops, Tensor x) { return forward(ops, x, ForwardMode.INFERENCE); }

    /** x (…, In) → (…, Out); {@code mode} says whether the adapter applies and whether its dropout does. */
    public Tensor forward(Ops ops, Tensor x, ForwardMode mode) {
        Tensor y = ops.linear(x, weight, bias);
        if (lora != null && mode.adapters()) y = ops.add(y, lora.delta(ops, x, mode));
        return y;
    }
}
