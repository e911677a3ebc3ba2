package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.Arrays;

/**
 * Keys and values of every layer for B sequences, each with room for {@code capacity} tokens:
 * per layer k, v (B, L, Hkv, D). Keys are stored after rotary, so a step only rotates its new key.
 */
public final class KvCache implements AutoCloseable {
    private final Tensor[] k, v;   // per layer (B, L, Hkv, D)
    private final int[] lengths;   // tokens cached per sequence
    private final int capacity;

    public KvCache(Backend be, int layers, int batch, int capacity, int kvHeads, int headDim) {
        this.capacity = capacity;
        this.lengths = new int[batch];
        this.k = new Tensor[layers];
        this.v = new Tensor[layers];
        AllocationScope.outside(() -> {
            for (int l = 0; l < layers; l++) {
                k[l] = be.empty(DType.F32, Shape.of(batch, capacity, kvHeads, headDim));
                v[l] = be.empty(DType.F32, Shape.of(batch, capacity, kvHeads, headDim));
            }
            return null;
        });
    }

    public int batch() { return lengths.length; }

    public int capacity() { return capacity; }

    public int length(int b) { return lengths[b]; }

    public int[] lengths() { return lengths.clone(); }

    Tensor keys(int layer) { return k[layer]; }

    Tensor values(int layer) { return v[layer]; }

    /** Writes rows (n, Hkv, D) of sequence b at positions [start, start+n) of layer l. */
    void write(Backend be, int layer, int b, int start, Tensor keys, Tensor vals) {
        int n = keys.dim(0);
        if (start + n > capacity)
            throw new IllegalStateException("KV cache overflow: sequence " + b + " needs " + (start + n) + " tokens, capacity " + capacity);
        Shape s = Shape.of(1, n, keys.dim(1), keys.dim(2));
        be.copy(keys.reshape(s.toArray()), k[layer].narrow(0, b, 1).narrow(1, start, n));
        be.copy(vals.reshape(s.toArray()), v[layer].narrow(0, b, 1).narrow(1, start, n));
    }

    /** Records that every sequence gained {@code added[b]} tokens (after all layers were written). */
    void advance(int[] added) {
        for (int b = 0; b < lengths.length; b++) lengths[b] += added[b];
    }

    @Override public void close() {
        for (Tensor t : k) t.close();
        for (Tensor t : v) t.close();
    }

    @Override public String toString() { return "KvCache[B=" + lengths.length + ", L=" + capacity + ", lengths=" + Arrays.toString(lengths) + "]"; }
}
