package ai.pulsemind.tokenize;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Byte-level BPE: a word's symbols (one per byte-level char) are merged pairwise, always the pair whose merge has
 * the lowest rank, leftmost first, until no adjacent pair has a merge. This is the {@code tokenizers} library's
 * algorithm (a min-heap of (rank, position), stale entries skipped), so ties and overlapping pairs ("aaa") resolve
 * the same way.
 */
final class BpeModel {
    private static final int CACHE_WORDS = 10_000; // as the tokenizers library: words beyond this are not cached

    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    private final HashMap<Long, Long> merges; // (left id, right id) -> (rank << 32 | merged id)
    private final boolean ignoreMerges;
    private final Map<String, int[]> cache;

    BpeModel(Map<String, Integer> vocab, String[][] mergePairs, boolean ignoreMerges) {
        this.vocab = vocab;
        int max = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        this.idToToken = new String[max + 1];
        vocab.forEach((t, id) -> idToToken[id] = t);
        this.merges = new HashMap<>(mergePairs.length * 2);
        for (int rank = 0; rank < mergePairs.length; rank++) {
            String a = mergePairs[rank][0], b = mergePairs[rank][1];
            Integer ia = vocab.get(a), ib = vocab.get(b), im = vocab.get(a + b);
            if (ia == null || ib == null || im == null)
                throw new IllegalArgumentException("merge " + rank + " ('" + a + "', '" + b + "') uses tokens missing from the vocab");
            merges.putIfAbsent(key(ia, ib), ((long) rank << 32) | im); // a repeated pair keeps its first rank
        }
        this.ignoreMerges = ignoreMerges;
        this.cache = java.util.Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, false));
    }

    private static long key(int a, int b) { return ((long) a << 32) | (b & 0xFFFFFFFFL); }

    Integer tokenToId(String token) { return vocab.get(token); }

    String idToToken(int id) { return id >= 0 && id < idToToken.length ? idToToken[id] : null; }

    int maxId() { return idToToken.length - 1; }

    /** The ids of one pre-tokenized, byte-level word. */
    int[] encodeWord(String word) {
        int[] hit = cache.get(word);
        if (hit != null) return hit;
        int[] ids = merge(word);
        if (cache.size() < CACHE_WORDS) cache.put(word, ids);
        return ids;
    }

    private int[] merge(String word) {
        if (ignoreMerges) {
            Integer whole = vocab.get(word);
            if (whole != null) return new int[] {whole};
        }
        int n = word.codePointCount(0, word.length());
        int[] sym = new int[n], next = new int[n], prev = new int[n];
        for (int i = 0, at = 0; i < n; i++) {
            int cp = word.codePointAt(at);
            String ch = new String(Character.toChars(cp));
            at += Character.charCount(cp);
            Integer id = vocab.get(ch);
            if (id == null) throw new IllegalStateException("byte-level char '" + ch + "' is not in the vocab");
            sym[i] = id;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<long[]> heap = new PriorityQueue<>((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
        for (int i = 0; i + 1 < n; i++) push(heap, sym, i, i + 1);
        while (!heap.isEmpty()) {
            long[] top = heap.poll(); // {rank, position, merged id}
            int pos = (int) top[1];
            if (sym[pos] < 0 || next[pos] < 0) continue; // merged away, or now last
            Long m = merges.get(key(sym[pos], sym[next[pos]]));
            if (m == null || (int) (long) m != (int) top[2]) continue; // the pair at pos changed since it was queued
            int right = next[pos];
            sym[pos] = (int) top[2];
            sym[right] = -1;
            next[pos] = next[right];
            if (next[pos] >= 0) prev[next[pos]] = pos;
            if (prev[pos] >= 0) push(heap, sym, prev[pos], pos);
            if (next[pos] >= 0) push(heap, sym, pos, next[pos]);
        }
        return Arrays.stream(sym).filter(s -> s >= 0).toArray();
    }

    private void push(PriorityQueue<long[]> heap, int[] sym, int left, int right) {
        Long m = merges.get(key(sym[left], sym[right]));
        if (m != null) heap.add(new long[] {m >>> 32, left, m & 0xFFFFFFFFL});
    }
}
