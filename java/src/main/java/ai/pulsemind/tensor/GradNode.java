package ai.pulsemind.tensor;

/**
 * One recorded op of the autograd tape: which inputs it read and how to turn the gradient of its output
 * into gradients of those inputs. Ops are coarse (matmul, attention, rmsnorm, ...), each with a hand-written
 * backward; the tape only records which backward to call.
 */
public interface GradNode {
    /** The op's differentiable inputs, in the order {@link #backward} returns their gradients. */
    Tensor[] inputs();

    /** Gradients for {@link #inputs()} (null where an input needs none) given the output's gradient. */
    Tensor[] backward(Tensor gradOutput);

    String name();

    /** Frees tensors saved for backward that nobody else sees; called once the node has run. */
    default void release() {}
}
