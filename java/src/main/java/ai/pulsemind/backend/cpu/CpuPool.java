package ai.pulsemind.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The fast CPU backend's own small thread pool: {@code threads - 1} daemon workers plus the calling thread.
 *
 * <p>Why not the common ForkJoinPool: a kernel call must not queue behind unrelated work, must be able to hand
 * each task a per-worker scratch buffer, and must stop when the backend is closed.
 *
 * <p>Determinism: {@link #run} splits work into {@code tasks} numbered pieces chosen by the caller from the
 * problem shape (and at most the thread count). Which worker runs a piece varies from run to run, but a piece
 * computes the same thing wherever it runs and pieces write disjoint outputs (or per-piece partials that the
 * caller reduces in piece order), so results are bit-identical from run to run for a given thread count.
 *
 * <p>Idle workers spin briefly (a kernel sequence issues calls microseconds apart), then park. A call that
 * arrives while the pool is busy (another thread, or a task calling back in) runs its pieces inline.
 */
final class CpuPool implements AutoCloseable {
    /** One parallel loop body: piece {@code task} of the work, run on worker {@code worker}. */
    @FunctionalInterface
    interface Body {
        void run(int task, int worker);
    }

    /** How long an idle worker spins before parking, in nanoseconds. */
    private static final long SPIN_NS = 50_000;

    private final int threads;
    private final Thread[] workers;
    private final ReentrantLock busy = new ReentrantLock();
    private final Scratch[] scratch;
    private final AtomicReferenceArray<float[]> lent = new AtomicReferenceArray<>(8);
    private volatile Job job; // the current (or last) job; a new object per call, so workers never act twice
    private volatile boolean closed;
    private static final AtomicInteger POOLS = new AtomicInteger();
    private final String prefix = "pulsemind-cpu" + POOLS.incrementAndGet() + "-";

    /** One parallel call: its pieces, the pieces claimed so far, and the helpers still working on it. */
    private static final class Job {
        final Body body;
        final int tasks, helpers;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger running;
        volatile Throwable failure;

        Job(Body body, int tasks, int helpers) {
            this.body = body;
            this.tasks = tasks;
            this.helpers = helpers;
            this.running = new AtomicInteger(helpers);
        }

        /** Claims and runs pieces until none are left. */
        void work(int worker) {
            for (int t = next.getAndIncrement(); t < tasks; t = next.getAndIncrement()) {
                if (failure != null) continue; // drain quickly after a failure
                try {
                    body.run(t, worker);
                } catch (Throwable e) {
                    synchronized (this) {
                        if (failure == null) failure = e;
                    }
                }
            }
        }
    }

    CpuPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
        this.threads = threads;
        this.scratch = new Scratch[threads];
        for (int i = 0; i < threads; i++) scratch[i] = new Scratch();
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int id = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name(prefix + id).unstarted(() -> loop(id));
            workers[i].start();
        }
    }

    int threads() { return threads; }

    /** Worker threads are named this prefix plus their number. */
    String threadPrefix() { return prefix; }

    /**
     * Runs {@code body(t, worker)} for every {@code t < tasks} and returns when all are done; the first exception
     * thrown by a piece is rethrown here. One piece, one thread, or a busy pool: the pieces run inline, in order.
     */
    void run(int tasks, Body body) {
        if (tasks <= 0) return;
        // A piece that calls back in, or a second thread while a job runs, must not touch worker 0's scratch.
        boolean own = !busy.isHeldByCurrentThread() && busy.tryLock();
        try {
            if (!own || tasks == 1 || threads == 1 || closed) {
                int w = own ? 0 : -1;
                for (int t = 0; t < tasks; t++) body.run(t, w);
                return;
            }
            int helpers = Math.min(workers.length, tasks - 1);
            Job j = new Job(body, tasks, helpers);
            job = j; // publishes the job
            for (int i = 0; i < helpers; i++) LockSupport.unpark(workers[i]);
            j.work(0);
            long start = System.nanoTime();
            while (j.running.get() > 0) {
                if (System.nanoTime() - start < SPIN_NS) Thread.onSpinWait();
                else Thread.yield();
            }
            Throwable f = j.failure;
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error er) throw er;
            if (f != null) throw new IllegalStateException(f);
        } finally {
            if (own) busy.unlock();
        }
    }

    private void loop(int id) {
        Job seen = null;
        while (true) {
            long start = System.nanoTime();
            Job j;
            while ((j = job) == seen && !closed) {
                if (System.nanoTime() - start < SPIN_NS) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 1_000_000);
            }
            if (closed) return;
            seen = j;
            // Only the first `helpers` workers take part; the others go back to waiting.
            if (id <= j.helpers) {
                j.work(id);
                j.running.decrementAndGet();
            }
        }
    }

    /**
     * A scratch array of at least {@code size} floats for {@code slot} on {@code worker}, reused across calls
     * (contents undefined). Worker -1 (an inline run on a foreign thread) gets a fresh array.
     */
    float[] floats(int worker, int slot, int size) {
        if (worker < 0) return new float[size];
        return scratch[worker].get(slot, size);
    }

    /**
     * A buffer of at least {@code size} floats shared by all pieces of one call (packed K/V, packed B), kept
     * between calls so large ones are not zeroed again each time; contents undefined. Thread-safe: a caller that
     * finds the slot taken gets a fresh array. Hand it back with {@link #giveBack}.
     */
    float[] borrow(int slot, int size) {
        float[] a = lent.getAndSet(slot, null);
        return a != null && a.length >= size ? a : new float[size];
    }

    void giveBack(int slot, float[] a) { lent.set(slot, a); }

    @Override
    public void close() {
        for (int i = 0; i < lent.length(); i++) lent.set(i, null);
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
        for (Thread w : workers) {
            try {
                w.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Per-worker float arrays, one per slot, grown on demand. */
    private static final class Scratch {
        private float[][] slots = new float[8][];

        float[] get(int slot, int size) {
            if (slot >= slots.length) slots = java.util.Arrays.copyOf(slots, slot + 1);
            float[] a = slots[slot];
            if (a == null || a.length < size) slots[slot] = a = new float[size];
            return a;
        }
    }
}
