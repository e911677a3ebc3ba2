package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.Arrays;

/**
 * Keys and values of every layer for S slots, each with room for {@code capacity} tokens: per layer k, v
 * (S, L, Hkv, D) in the backend's compute dtype. Keys are stored after rotary, so a step only rotates its new key.
 * A slot holds one sequence at a time; {@link #reset} empties it for the next (its memory is simply overwritten),
 * and a decoding step may cover any subset of the slots ({@link Backend#attentionDecode} reads through a slot
 * index), which is what lets an engine batch continuously.
 */
public final class KvCache implements AutoCloseable {
    private final Tensor[] k, v;   // per layer (B, L, Hkv, D)
    private final int[] lengths;   // tokens cached per slot
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

    /** Number of slots. */
    public int batch() { return lengths.length; }

    /** Empties a slot: its next write starts at position 0. */
    public void reset(int slot) { lengths[slot] = 0; }

    public int capacity() { return capacity; }

    public int length(int b) { return lengths[b]; }

    public int[] lengths() { return lengths.clone(); }

    Tensor keys(int layer) { return k[layer]; }

    Tensor values(int layer) { return v[layer]; }

    /** Writes rows (n, Hkv, D) into slot b at positions [start, start+n) of layer l. */
    void write(Backend be, int layer, int b, int start, Tensor keys, Tensor vals) {
        int n = keys.dim(0);
        if (start + n > capacity)
            throw new IllegalStateException("KV cache overflow: slot " + b + " needs " + (start + n) + " tokens, capacity " + capacity);
        Shape s = Shape.of(1, n, keys.dim(1), keys.dim(2));
        be.copy(keys.reshape(s.toArray()), k[layer].narrow(0, b, 1).narrow(1, start, n));
        be.copy(vals.reshape(s.toArray()), v[layer].narrow(0, b, 1).narrow(1, start, n));
    }

    /**
     * Writes one new row per decoded sequence of layer l: keys, vals (B, Hkv, D), row b into slot {@code slots[b]}
     * at position {@code positions[b]}. Runs of rows in consecutive slots at the same position (a batch of
     * equal-length prompts, a group of samples of one prompt) go in one strided copy: on a GPU that is one launch
     * instead of one per sequence.
     */
    void writeStep(Backend be, int layer, int[] slots, int[] positions, Tensor keys, Tensor vals) {
        int b = keys.dim(0);
        for (int start = 0; start < b; ) {
            int end = start + 1;
            while (end < b && positions[end] == positions[start] && slots[end] == slots[start] + (end - start)) end++;
            int pos = positions[start], n = end - start;
            if (pos + 1 > capacity)
                throw new IllegalStateException("KV cache overflow: slot " + slots[start] + " needs " + (pos + 1) + " tokens, capacity " + capacity);
            Shape s = Shape.of(n, 1, keys.dim(1), keys.dim(2));
            be.copy(keys.narrow(0, start, n).reshape(s.toArray()), k[layer].narrow(0, slots[start], n).narrow(1, pos, 1));
            be.copy(vals.narrow(0, start, n).reshape(s.toArray()), v[layer].narrow(0, slots[start], n).narrow(1, pos, 1));
            start = end;
        }
    }

    /** Records that slot {@code slots[i]} gained {@code added[i]} tokens (after all layers were written). */
    void advance(int[] slots, int[] added) {
        for (int i = 0; i < slots.length; i++) lengths[slots[i]] += added[i];
    }

    @Override public void close() {
        for (Tensor t : k) t.close();
        for (Tensor t : v) t.close();
    }

    @Override public String toString() { return "KvCache[B=" + lengths.length + ", L=" + capacity + ", lengths=" + Arrays.toString(lengths) + "]"; }
}
