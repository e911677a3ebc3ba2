package ai.pulsemind.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backend's thread pool: every piece runs once, failures surface, re-entry runs inline, close stops it. */
class CpuPoolTest {
    @Test
    void everyPieceRunsExactlyOnce() {
        try (CpuPool pool = new CpuPool(3)) {
            for (int tasks : new int[] {1, 2, 5, 1000}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(tasks);
                pool.run(tasks, (t, w) -> seen.incrementAndGet(t));
                for (int t = 0; t < tasks; t++) assertEquals(1, seen.get(t), "piece " + t + " of " + tasks);
            }
        }
    }

    @Test
    void aFailingPieceIsRethrownAndThePoolStaysUsable() {
        try (CpuPool pool = new CpuPool(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run(50, (t, w) -> {
                if (t == 17) throw new IllegalStateException("piece 17");
            }));
            assertEquals("piece 17", e.getMessage());
            AtomicInteger n = new AtomicInteger();
            pool.run(50, (t, w) -> n.incrementAndGet());
            assertEquals(50, n.get());
        }
    }

    @Test
    void nestedCallsRunInlineWithFreshScratch() {
        try (CpuPool pool = new CpuPool(2)) {
            AtomicInteger inner = new AtomicInteger(), foreign = new AtomicInteger();
            pool.run(4, (t, w) -> pool.run(3, (u, w2) -> {
                inner.incrementAndGet();
                if (w2 == -1) foreign.incrementAndGet(); // never a worker's own scratch inside another job
            }));
            assertEquals(12, inner.get());
            assertEquals(12, foreign.get());
        }
    }

    @Test
    void workersAreDaemonsAndCloseStopsThem() {
        CpuPool pool = new CpuPool(3);
        pool.run(10, (t, w) -> {});
        List<Thread> mine = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(pool.threadPrefix())).toList();
        assertEquals(2, mine.size(), "a 3-thread pool has 2 workers besides the caller");
        for (Thread t : mine) assertTrue(t.isDaemon(), t + " would keep the JVM alive");
        pool.close(); // joins its workers
        for (Thread t : mine) assertFalse(t.isAlive(), t + " still runs after close()");
        AtomicInteger n = new AtomicInteger();
        pool.run(5, (t, w) -> n.incrementAndGet()); // a closed pool still runs work, inline
        assertEquals(5, n.get());
    }
}
