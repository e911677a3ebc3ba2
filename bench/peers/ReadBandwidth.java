import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The memory read bandwidth a decode step can draw: sums a 1 GiB off-heap buffer (far past the L3) with 1 and with
 * all threads, best of 8 passes each. Decoding one token reads every weight once, so weight bytes per token over
 * this figure is the fastest a token can be; bench results quote decode as a fraction of it.
 *   java --add-modules jdk.incubator.vector bench/peers/ReadBandwidth.java [GiB]
 * Prints one JSON line: {"read_gb_per_s": {"1": x, "N": y}}.
 */
public class ReadBandwidth {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    static float sum(MemorySegment m, long from, long to) {
        int step = S.vectorByteSize();
        FloatVector a = FloatVector.zero(S), b = a, c = a, d = a; // four chains: loads, not add latency, bound it
        for (long o = from; o + 4L * step <= to; o += 4L * step) {
            a = a.add(FloatVector.fromMemorySegment(S, m, o, ByteOrder.nativeOrder()));
            b = b.add(FloatVector.fromMemorySegment(S, m, o + step, ByteOrder.nativeOrder()));
            c = c.add(FloatVector.fromMemorySegment(S, m, o + 2L * step, ByteOrder.nativeOrder()));
            d = d.add(FloatVector.fromMemorySegment(S, m, o + 3L * step, ByteOrder.nativeOrder()));
        }
        return a.add(b).add(c).add(d).reduceLanes(VectorOperators.ADD);
    }

    public static void main(String[] args) throws Exception {
        long n = (long) (Double.parseDouble(args.length > 0 ? args[0] : "1") * (1L << 30));
        MemorySegment m = Arena.global().allocate(n, 64);
        m.fill((byte) 1); // touch every page before timing
        int cores = Runtime.getRuntime().availableProcessors();
        StringBuilder out = new StringBuilder("{\"read_gb_per_s\": {");
        for (int threads : cores > 1 ? new int[] {1, cores} : new int[] {1}) {
            double best = Double.MAX_VALUE;
            float sink = 0;
            for (int r = 0; r < 8; r++) {
                long t0 = System.nanoTime();
                Thread[] ts = new Thread[threads];
                float[] part = new float[threads];
                for (int t = 0; t < threads; t++) {
                    int id = t;
                    ts[t] = new Thread(() -> part[id] = sum(m, n / threads * id, n / threads * (id + 1)));
                    ts[t].start();
                }
                for (Thread t : ts) t.join();
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                for (float p : part) sink += p;
            }
            if (sink == 42f) System.err.print(""); // keeps the sums live
            out.append(threads == 1 ? "" : ", ").append(String.format("\"%d\": %.1f", threads, n / best / 1e9));
        }
        System.out.println(out.append("}}"));
    }
}
