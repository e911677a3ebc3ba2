package ai.pulsemind.data.synth;

import ai.pulsemind.data.DatasetWriter;
import ai.pulsemind.data.Progress;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a synthetic MediScope dataset. Cases are made in parallel in blocks and written in index order, so the
 * output is the same for any thread count; each case depends only on (seed, index).
 */
public final class SynthGenerator {
    /** Cases per block handed to the workers; bounds memory to a block of images. */
    static final int BLOCK = 64;

    private SynthGenerator() {}

    public record Result(long cases, long images, double seconds) {
        public double casesPerMinute() { return cases / seconds * 60; }
    }

    public static Result generate(KnowledgeBase kb, SynthOptions opt, DatasetWriter out, Progress progress) throws IOException {
        long t0 = System.nanoTime(), images = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(opt.threads(), r -> {
            Thread t = new Thread(r, "synth");
            t.setDaemon(true);
            return t;
        })) {
            for (long start = 0; start < opt.cases(); start += BLOCK) {
                List<Future<SynthCase.Made>> block = new ArrayList<>();
                for (long i = start; i < Math.min(opt.cases(), start + BLOCK); i++) {
                    final long index = i;
                    block.add(pool.submit(() -> {
                        SynthCase.Made m = SynthCase.make(kb, opt, index);
                        for (Map.Entry<String, byte[]> e : m.images().entrySet()) out.addImage(e.getValue(), e.getKey());
                        return m;
                    }));
                }
                for (Future<SynthCase.Made> f : block) {
                    SynthCase.Made m = get(f);
                    out.write(m.record());
                    images += m.images().size();
                    progress.advance(1);
                }
            }
        }
        progress.finish();
        return new Result(opt.cases(), images, (System.nanoTime() - t0) / 1e9);
    }

    private static SynthCase.Made get(Future<SynthCase.Made> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        }
    }
}
