package ai.pulsemind.autograd;

import ai.pulsemind.tensor.GradNode;
import ai.pulsemind.tensor.Tensor;

import java.util.function.Function;

/**
 * A tape entry made by {@link Ops}: the inputs an op read, its backward as a function from the output's
 * gradient to the inputs' gradients, and the buffers it saved (closed once the backward has run).
 */
final class Node implements GradNode {
    private final String name;
    private final Tensor[] inputs;
    private final Function<Tensor, Tensor[]> backward;
    private final Tensor[] owned;

    Node(String name, Tensor[] inputs, Function<Tensor, Tensor[]> backward, Tensor... owned) {
        this.name = name;
        this.inputs = inputs;
        this.backward = backward;
        this.owned = owned;
    }

    @Override public Tensor[] inputs() { return inputs; }

    @Override public Tensor[] backward(Tensor gradOutput) { return backward.apply(gradOutput); }

    @Override public String name() { return name; }

    @Override public void release() {
        for (Tensor t : owned) if (t != null) t.close();
    }
}
