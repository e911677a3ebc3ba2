package ai.pulsemind.data.batch;

import ai.pulsemind.data.DataError;
import ai.pulsemind.data.DatasetPaths;
import ai.pulsemind.data.EncodedImage;
import ai.pulsemind.data.EncodedSample;
import ai.pulsemind.data.ImageRef;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.SampleEncoder;
import ai.pulsemind.data.images.DecodedImage;
import ai.pulsemind.data.images.ImageDecoder;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Streams batches for training: a seeded permutation per epoch, read in windows of {@code window} records; each
 * window is decoded and encoded in parallel, grouped by length ({@link Packer}), and its batches are emitted in a
 * seeded order. Every batch carries the {@link LoaderCursor} that resumes right after it, so a checkpoint restores
 * the exact position. Records that fail (bad JSON, missing or corrupt image, encoder error) are counted and skipped
 * with their {@code file:line: field: message}; samples longer than the token budget are counted and skipped.
 */
public final class DataLoader implements Iterator<Batch>, AutoCloseable {
    /** What the loader skipped so far, and the first problems in full. */
    public record Stats(long samples, long failed, long tooLong, List<String> problems) {}

    static final int MAX_PROBLEMS = 20;

    private final RecordIndex index;
    private final SampleEncoder encoder;
    private final LoaderConfig cfg;
    private final int epochs;
    private final ExecutorService pool;
    private final FileChannel[] channels;
    private final Deque<Batch> pending = new ArrayDeque<>();
    private LoaderCursor cursor;
    private int[] order;
    private int orderEpoch = -1;
    private long samples, failed, tooLong;
    private final List<String> problems = new ArrayList<>();

    /**
     * @param cursor where to start ({@link LoaderCursor#start} or one saved from a batch)
     * @param epochs stop after this many epochs
     */
    public DataLoader(RecordIndex index, SampleEncoder encoder, LoaderConfig cfg, LoaderCursor cursor, int epochs) {
        if (!cursor.dataset().equals(index.fingerprint()))
            throw new IllegalArgumentException("cursor is for dataset " + cursor.dataset() + ", this one is " + index.fingerprint());
        if (cursor.seed() != cfg.seed()) throw new IllegalArgumentException("cursor seed " + cursor.seed() + " differs from the config's " + cfg.seed());
        this.index = index;
        this.encoder = encoder;
        this.cfg = cfg;
        this.cursor = cursor;
        this.epochs = epochs;
        this.channels = index.channels();
        this.pool = Executors.newFixedThreadPool(cfg.threads(), r -> {
            Thread t = new Thread(r, "data-loader");
            t.setDaemon(true);
            return t;
        });
    }

    public LoaderCursor cursor() { return cursor; }

    public synchronized Stats stats() { return new Stats(samples, failed, tooLong, List.copyOf(problems)); }

    @Override
    public boolean hasNext() {
        while (pending.isEmpty() && cursor.epoch() < epochs) loadWindow();
        return !pending.isEmpty();
    }

    @Override
    public Batch next() {
        if (!hasNext()) throw new NoSuchElementException("the loader has finished its " + epochs + " epoch(s)");
        Batch b = pending.removeFirst();
        cursor = b.next();
        return b;
    }

    /** Loads the window at the cursor and queues its batches from {@code cursor.batch()} on. */
    private void loadWindow() {
        int n = index.size(), start = cursor.position(), end = Math.min(n, start + cfg.window());
        int[] ord = order(cursor.epoch());
        List<Future<EncodedSample>> fs = new ArrayList<>();
        for (int k = start; k < end; k++) {
            int rec = ord[k];
            fs.add(pool.submit(() -> encode(rec)));
        }
        List<EncodedSample> ok = new ArrayList<>();
        for (Future<EncodedSample> f : fs) {
            EncodedSample s = get(f);
            if (s == null) continue;
            if (s.length() > cfg.maxTokens()) { tooLong(s); continue; }
            ok.add(s);
        }
        List<List<EncodedSample>> groups = cfg.layout() == LoaderConfig.Layout.PACKED
                ? Packer.pack(ok, cfg.maxTokens(), cfg.maxSamples()) : Packer.bucket(ok, cfg.maxTokens(), cfg.maxSamples());
        if (cfg.shuffle()) shuffle(groups, new SplittableRandom(mix(cfg.seed() ^ 0x5DEECE66DL, cursor.epoch() * 0x100000001L + start)));
        LoaderCursor after = end >= n ? new LoaderCursor(cfg.seed(), cursor.epoch() + 1, 0, 0, index.fingerprint())
                : new LoaderCursor(cfg.seed(), cursor.epoch(), end, 0, index.fingerprint());
        for (int g = cursor.batch(); g < groups.size(); g++) {
            LoaderCursor next = g + 1 < groups.size() ? new LoaderCursor(cfg.seed(), cursor.epoch(), start, g + 1, index.fingerprint()) : after;
            pending.addLast(assemble(groups.get(g), next));
        }
        synchronized (this) { samples += ok.size(); }
        if (groups.size() <= cursor.batch()) cursor = after; // nothing (left) in this window
    }

    private EncodedSample encode(int rec) {
        try {
            MediRecord r = index.read(rec, channels);
            List<DecodedImage> ims = new ArrayList<>();
            ImageDecoder.Options opt = budget(r.images().size());
            for (ImageRef im : r.images()) {
                try {
                    ims.add(ImageDecoder.decode(DatasetPaths.resolveInside(index.root(), im.path()), opt));
                } catch (IOException | IllegalArgumentException e) {
                    throw new DataError(index.where(rec), 0, "images[" + r.images().indexOf(im) + "].path", e.getMessage());
                }
            }
            return encoder.encode(r, ims);
        } catch (DataError e) {
            fail(e.getMessage());
        } catch (IOException | RuntimeException e) {
            fail(index.where(rec) + ": -: " + e.getMessage());
        }
        return null;
    }

    /** Per-image pixel bound: the encoder's, and an equal share of the per-sample budget. */
    private ImageDecoder.Options budget(int images) {
        ImageDecoder.Options o = encoder.imageOptions();
        if (cfg.maxPixelsPerSample() == 0 || images == 0) return o;
        long share = Math.max(1, cfg.maxPixelsPerSample() / images);
        long max = o.maxPixels() == 0 ? share : Math.min(o.maxPixels(), share);
        return new ImageDecoder.Options(o.window(), max);
    }

    private synchronized void fail(String msg) {
        failed++;
        if (problems.size() < MAX_PROBLEMS) problems.add(msg);
    }

    private synchronized void tooLong(EncodedSample s) {
        tooLong++;
        if (problems.size() < MAX_PROBLEMS) problems.add(s.id() + ": " + s.length() + " tokens, over the batch budget of " + cfg.maxTokens());
    }

    private Batch assemble(List<EncodedSample> g, LoaderCursor next) {
        int b = g.size();
        int[] cu = new int[b + 1];
        for (int i = 0; i < b; i++) cu[i + 1] = cu[i] + g.get(i).length();
        boolean packed = cfg.layout() == LoaderConfig.Layout.PACKED;
        int row = packed ? cu[b] : g.stream().mapToInt(EncodedSample::length).max().orElse(0);
        int total = packed ? cu[b] : row * b;
        int[] tokens = new int[total];
        byte[] mask = new byte[total];
        if (!packed) Arrays.fill(tokens, cfg.padId());
        int rows = g.getFirst().positions() == null ? 0 : g.getFirst().positions().length;
        int[][] pos = rows == 0 ? null : new int[rows][total];
        List<EncodedImage> images = new ArrayList<>();
        int[] counts = new int[b];
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            EncodedSample s = g.get(i);
            int at = packed ? cu[i] : i * row;
            System.arraycopy(s.tokens(), 0, tokens, at, s.length());
            System.arraycopy(s.lossMask(), 0, mask, at, s.length());
            if (pos != null) {
                if (s.positions() == null || s.positions().length != rows) throw new IllegalStateException(s.id() + ": position rows differ within a batch");
                for (int r = 0; r < rows; r++) System.arraycopy(s.positions()[r], 0, pos[r], at, s.length());
            }
            images.addAll(s.images());
            counts[i] = s.images().size();
            ids.add(s.id());
        }
        return new Batch(cfg.layout(), ids, tokens, mask, cu, row, pos, images, counts, next);
    }

    private int[] order(int epoch) {
        if (orderEpoch == epoch) return order;
        int n = index.size();
        order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (cfg.shuffle()) {
            SplittableRandom r = new SplittableRandom(mix(cfg.seed(), epoch));
            for (int i = n - 1; i > 0; i--) { int j = r.nextInt(i + 1); int t = order[i]; order[i] = order[j]; order[j] = t; }
        }
        orderEpoch = epoch;
        return order;
    }

    private static <T> void shuffle(List<T> l, SplittableRandom r) {
        for (int i = l.size() - 1; i > 0; i--) { int j = r.nextInt(i + 1); T t = l.get(i); l.set(i, l.get(j)); l.set(j, t); }
    }

    static long mix(long seed, long k) {
        long z = seed * 0x9E3779B97F4A7C15L + k + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static EncodedSample get(Future<EncodedSample> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        RecordIndex.close(channels);
    }
}
