package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.Arrays;

/**
 * Keys and values of every layer for B sequences, each with room for {@code capacity} tokens:
 * per layer k, v (B, L, Hkv, D) in the backend's compute dtype. Keys are stored after rotary, so a step only
 * rotates its new key.
 */
public final class KvCache implements AutoCloseable {
    private final Tensor[] k, v;   // per layer (B, L, Hkv, D)
    private final int[] lengths;   // tokens cached per sequence
    private final int capacity;

    public KvCache(Backend be, int layers, int batch, int capacity, int kvHeads, int headDim) {
        this(be, be.computeDtype(), layers, batch, capacity, kvHeads, headDim);
    }

    public KvCache(Backend be, DType dtype, int layers, int batch, int capacity, int kvHeads, int headDim) {
        this.capacity = capacity;
        this.lengths = new int[batch];
        this.k = new Tensor[layers];
        this.v = new Tensor[layers];
        AllocationScope.outside(() -> {
            for (int l = 0; l < layers; l++) {
                k[l] = be.empty(dtype, Shape.of(batch, capacity, kvHeads, headDim));
                v[l] = be.empty(dtype, Shape.of(batch, capacity, kvHeads, headDim));
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

    /**
     * Writes one new row per sequence of layer l: keys, vals (B, Hkv, D), row b at position {@code positions[b]}.
     * Consecutive sequences at the same position (a batch of equal-length prompts, a group of samples of one
     * prompt) go in one strided copy: on a GPU that is one launch instead of one per sequence.
     */
    void writeStep(Backend be, int layer, int[] positions, Tensor keys, Tensor vals) {
        int b = keys.dim(0);
        for (int start = 0; start < b; ) {
            int end = start + 1;
            while (end < b && positions[end] == positions[start]) end++;
            int pos = positions[start], n = end - start;
            if (pos + 1 > capacity)
                throw new IllegalStateException("KV cache overflow: sequence " + start + " needs " + (pos + 1) + " tokens, capacity " + capacity);
            Shape s = Shape.of(n, 1, keys.dim(1), keys.dim(2));
            be.copy(keys.narrow(0, start, n).reshape(s.toArray()), k[layer].narrow(0, start, n).narrow(1, pos, 1));
            be.copy(vals.narrow(0, start, n).reshape(s.toArray()), v[layer].narrow(0, start, n).narrow(1, pos, 1));
            start = end;
        }
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
