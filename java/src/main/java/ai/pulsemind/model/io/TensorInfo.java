package ai.pulsemind.model.io;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import java.util.List;

/**
 * One entry of a safetensors header: where a tensor's bytes lie in the data section (after the header).
 *
 * @param name  the tensor's name
 * @param dtype the safetensors dtype string ("F32", "BF16", "U8", ...)
 * @param shape its dimensions
 * @param begin first byte, relative to the data section
 * @param end   one past the last byte
 */
public record TensorInfo(String name, String dtype, List<Long> shape, long begin, long end) {
    public TensorInfo {
        shape = List.copyOf(shape);
    }

    public long byteSize() { return end - begin; }

    public long numel() {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    /** The engine's dtype, or null for dtypes tensors cannot hold (U8, F64, ...): read those as bytes. */
    public DType tensorDType() {
        for (DType d : DType.values()) if (d.safetensorsName().equals(dtype)) return d;
        return null;
    }

    public Shape tensorShape() {
        int[] dims = new int[shape.size()];
        for (int i = 0; i < dims.length; i++) dims[i] = Math.toIntExact(shape.get(i));
        return Shape.of(dims);
    }

    public int[] dims() { return tensorShape().toArray(); }
}
