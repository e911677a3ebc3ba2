package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.nn.Params;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.function.Function;

/**
 * Takes checkpoint tensors by their Hugging Face names, checks each shape against what the config implies, and
 * puts them on the backend in its compute dtype (F32 on the CPU: BF16/F16 are widened, and an F32 host tensor is
 * used as it is, so a memory-mapped F32 checkpoint is not copied; BF16 on CUDA: uploaded, F32 narrowed there; a
 * tensor already on the device in that dtype is used as it is).
 */
final class Weights {
    private final Backend be;
    private final Function<String, Tensor> source;
    private final DType computeDtype;
    private final boolean linearsAsStored;
    final Params params = new Params();

    /** @param linearsAsStored keep BF16 linear-layer weights in BF16 where the backend multiplies by them so */
    Weights(Backend be, Function<String, Tensor> source, DType computeDtype, boolean linearsAsStored) {
        this.be = be;
        this.source = source;
        this.computeDtype = computeDtype;
        this.linearsAsStored = linearsAsStored && be.takesBf16Weights() && computeDtype == DType.F32;
    }

    /** The tensor named {@code name}, which must have shape {@code dims}. */
    Tensor take(String name, int... dims) { return take(name, false, dims); }

    /**
     * A linear layer's weight: only ever a matmul operand, so on a backend that {@link Backend#takesBf16Weights()}
     * a BF16 weight may stay BF16 (when asked), halving the bytes each decoded token reads.
     */
    Tensor takeLinear(String name, int... dims) { return take(name, linearsAsStored, dims); }

    private Tensor take(String name, boolean bf16AsStored, int... dims) {
        Tensor t = source.apply(name);
        if (t == null) throw new IllegalArgumentException("checkpoint has no tensor '" + name + "'");
        DType computeDtype = bf16AsStored && t.dtype() == DType.BF16 ? DType.BF16 : this.computeDtype;
        Shape want = Shape.of(dims);
        if (!t.shape().numelEquals(want) || (!t.shape().equals(want) && t.rank() == want.rank()))
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + t.shape() + " but the config implies " + want);
        return params.add(name, place(t, computeDtype, dims));
    }

    /**
     * The checkpoint's BF16 tensor {@code name} kept as stored, as a second, read-only matmul operand beside the
     * parameter already taken under that name (the LM head: the parameter, in the compute dtype, serves the gather,
     * the fused log-prob and training; this copy serves the logits product, at half the bytes per decoded token).
     * {@code fallback} when linear layers are not kept as stored or the tensor is not BF16. Not a parameter.
     */
    Tensor asStoredOperand(String name, Tensor fallback) {
        Tensor t = source.apply(name);
        if (!linearsAsStored || t == null || t.dtype() != DType.BF16) return fallback;
        return place(t, DType.BF16, fallback.shape().toArray());
    }

    /** t on the backend in {@code computeDtype} with shape dims: t itself when it already is, else a converted copy. */
    private Tensor place(Tensor t, DType computeDtype, int... dims) {
        Shape want = Shape.of(dims);
        Tensor placed;
        if (t.dtype() == computeDtype && t.device().equals(be.device()) && t.isContiguous()) {
            placed = t.reshape(dims);
        } else {
            Tensor onDevice = t.device().equals(be.device()) ? t : be.upload(t);
            placed = be.empty(computeDtype, want);
            if (onDevice.dtype() == computeDtype) be.copy(onDevice.reshape(dims), placed);
            else be.convert(onDevice.isContiguous() ? onDevice.reshape(dims) : be.upload(onDevice).reshape(dims), placed);
            if (onDevice != t) onDevice.close();
        }
        return placed;
    }

    Tensor takeOptional(String name, int... dims) {
        return source.apply(name) == null ? null : take(name, dims);
    }
}
