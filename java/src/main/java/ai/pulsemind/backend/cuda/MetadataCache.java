package ai.pulsemind.backend.cuda;

import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.Tensor;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Device copies of small host metadata (an attention spec's cu_seqlens, decode lengths, CSR offsets), made once
 * per distinct key and kept in least-recently-used order: a model's layers share one spec per forward, so its
 * offsets cross the bus once, not once per layer. Keys compare by value (records, {@link Ints}).
 *
 * <p>Copies are made outside any {@link AllocationScope} (a step's scope would free them under the cache). Evicting
 * a copy closes it while kernels queued earlier may still read it; that is safe because the backend
 * issues all work on one stream, so the memory's next user runs after them (see {@link DeviceAllocator}).
 */
final class MetadataCache<K> implements AutoCloseable {
    private final int capacity;
    private final LinkedHashMap<K, Tensor> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long uploads;

    MetadataCache(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("metadata cache capacity must be >= 1, got " + capacity);
        this.capacity = capacity;
    }

    /** The device copy for {@code key}, made by {@code upload} when absent. */
    Tensor get(K key, Function<K, Tensor> upload) {
        Tensor t = entries.get(key);
        if (t != null && !t.isClosed()) return t;
        K k = key;
        t = AllocationScope.outside(() -> upload.apply(k)); // the copy outlives the step that first asked
        uploads++;
        entries.put(key, t);
        if (entries.size() > capacity) {
            Iterator<Map.Entry<K, Tensor>> it = entries.entrySet().iterator();
            Map.Entry<K, Tensor> eldest = it.next();
            it.remove();
            eldest.getValue().close();
        }
        return t;
    }

    /** Uploads made so far (for tests and diagnostics). */
    long uploads() { return uploads; }

    int size() { return entries.size(); }

    @Override
    public void close() {
        for (Tensor t : entries.values()) t.close();
        entries.clear();
    }

    /** An int array as a value key. */
    record Ints(int[] values) {
        Ints {
            values = values.clone();
        }

        @Override public boolean equals(Object o) { return o instanceof Ints i && java.util.Arrays.equals(i.values, values); }

        @Override public int hashCode() { return java.util.Arrays.hashCode(values); }

        @Override public String toString() { return java.util.Arrays.toString(values); }
    }
}
