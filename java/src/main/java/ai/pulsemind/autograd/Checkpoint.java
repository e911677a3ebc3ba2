package ai.pulsemind.autograd;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Activation checkpointing: runs a block without recording its tape, keeps only its output, and in the backward
 * pass runs the block again with the tape on and back-propagates through that copy. Memory then holds one block's
 * activations at a time instead of every block's, for one more forward per block.
 *
 * <p>The block must compute the same thing twice: the same inputs, the same weights and no hidden state (dropout
 * masks keyed by a call key, as {@link ai.pulsemind.nn.Dropout} draws them, qualify). Its parameters' gradients
 * accumulate into their {@code grad} during the inner backward pass; the input's gradient is returned to the
 * outer one.
 */
public final class Checkpoint {
    private Checkpoint() {}

    /**
     * {@code block(x)}, recomputed in the backward pass.
     *
     * @param params every tensor of the block that may require grad (so the tape knows the block is trainable even
     *               when x is not, as with frozen embeddings under LoRA)
     */
    public static Tensor apply(Ops ops, UnaryOperator<Tensor> block, Tensor x, List<Tensor> params) {
        List<Tensor> ins = new ArrayList<>(params.size() + 1);
        ins.add(x);
        ins.addAll(params);
        boolean track = GradMode.isEnabled() && ins.stream().anyMatch(t -> t != null && t.requiresGrad());
        if (!track) return block.apply(x);
        Tensor out;
        try (var g = GradMode.disabled(); var scope = AllocationScope.open()) {
            out = scope.keep(block.apply(x)); // the block's activations are freed here
        }
        Backend be = ops.backend();
        out.setGradFn(new Node("checkpoint", ins.toArray(Tensor[]::new), gOut -> {
            Tensor[] grads = new Tensor[ins.size()];
            grads[0] = recompute(be, block, x, gOut);
            return grads;
        }));
        return out;
    }

    /** Runs the block again with the tape on and back-propagates gOut; returns x's gradient (or null). */
    private static Tensor recompute(Backend be, UnaryOperator<Tensor> block, Tensor x, Tensor gOut) {
        Tensor dx;
        Tensor leaf = new Tensor(x.storage(), false, x.dtype(), x.shape(), x.strides(), x.offset());
        leaf.requiresGrad(x.requiresGrad());
        try (var g = GradMode.enabled(); var scope = AllocationScope.open()) {
            Tensor y = block.apply(leaf);
            Tensor seed = be.empty(gOut.dtype(), gOut.shape()); // the engine closes its seed; gOut is the caller's
            be.copy(gOut, seed);
            Autograd.backward(be, y, seed);
            dx = leaf.grad();
            if (dx != null && dx.dtype() != x.dtype()) { // a leaf's gradient is F32; an activation's has its dtype
                Tensor c = scope.keep(be.empty(x.dtype(), x.shape()));
                be.convert(dx, c);
                dx.close();
                dx = c;
            }
        }
        return dx;
    }
}
