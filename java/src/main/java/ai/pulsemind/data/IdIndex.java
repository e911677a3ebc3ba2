package ai.pulsemind.data;

import java.nio.charset.StandardCharsets;

/**
 * Seen-id set for duplicate detection over datasets larger than memory wants to hold as strings: 16 bytes per
 * record (a 64-bit hash of the id and where it was first seen). Two different ids collide with probability about
 * n²/2⁶⁵ (10⁻⁶ at ten million records); a collision would report a false duplicate, never miss a true one.
 */
final class IdIndex {
    private long[] keys = new long[1 << 12];
    private long[] vals = new long[1 << 12];
    private boolean[] used = new boolean[1 << 12];
    private int size;

    /** Records {@code id} at {@code where}; returns the earlier {@code where} if the id was seen, else -1. */
    long putIfAbsent(String id, long where) {
        if (size * 2 >= keys.length) grow();
        long h = hash(id);
        int mask = keys.length - 1, i = (int) (h ^ (h >>> 32)) & mask;
        while (used[i]) {
            if (keys[i] == h) return vals[i];
            i = (i + 1) & mask;
        }
        used[i] = true;
        keys[i] = h;
        vals[i] = where;
        size++;
        return -1;
    }

    int size() { return size; }

    private void grow() {
        long[] k = keys, v = vals;
        boolean[] u = used;
        keys = new long[k.length * 2];
        vals = new long[k.length * 2];
        used = new boolean[k.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < k.length; j++) {
            if (!u[j]) continue;
            int i = (int) (k[j] ^ (k[j] >>> 32)) & mask;
            while (used[i]) i = (i + 1) & mask;
            used[i] = true;
            keys[i] = k[j];
            vals[i] = v[j];
        }
    }

    /** FNV-1a over UTF-8, then a SplitMix64 finaliser so that similar ids spread over the table. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) { h ^= b & 0xFF; h *= 0x100000001b3L; }
        h ^= h >>> 33; h *= 0xff51afd7ed558ccdL; h ^= h >>> 33; h *= 0xc4ceb9fe1a85ec53L; h ^= h >>> 33;
        return h;
    }
}
