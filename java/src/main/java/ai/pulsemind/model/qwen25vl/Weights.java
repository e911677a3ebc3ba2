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
    final Params params = new Params();

    Weights(Backend be, Function<String, Tensor> source, DType computeDtype) {
        this.be = be;
        this.source = source;
        this.computeDtype = computeDtype;
    }

    /** The tensor named {@code name}, which must have shape {@code dims}. */
    Tensor take(String name, int... dims) {
        Tensor t = source.apply(name);
        if (t == null) throw new IllegalArgumentException("checkpoint has no tensor '" + name + "'");
        Shape want = Shape.of(dims);
        if (!t.shape().numelEquals(want) || (!t.shape().equals(want) && t.rank() == want.rank()))
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + t.shape() + " but the config implies " + want);
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
        return params.add(name, placed);
    }

    Tensor takeOptional(String name, int... dims) {
        return source.apply(name) == null ? null : take(name, dims);
    }
}
