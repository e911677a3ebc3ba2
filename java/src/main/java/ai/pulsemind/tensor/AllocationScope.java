package ai.pulsemind.tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Frees, on close, every tensor allocated on this thread while the scope was open — the activations, saved
 * buffers and index tensors of a training step or a decoding step — except those handed out with {@link #keep}.
 *
 * <p>Why: tensors have no reference counts and off-heap memory does not press the garbage collector, while a
 * step allocates thousands of short-lived tensors that the autograd graph reads until backward is done. A scope
 * matches their lifetime to the step's. Scopes nest; {@link #outside} allocates across scopes (parameter
 * gradients that accumulate over micro-batches, KV caches, optimiser state).
 */
public final class AllocationScope implements AutoCloseable {
    private static final ThreadLocal<AllocationScope> CURRENT = new ThreadLocal<>();

    private final AllocationScope parent;
    private final Thread owner = Thread.currentThread();
    private final List<Tensor> owned = new ArrayList<>();
    private final Set<Tensor> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private AllocationScope(AllocationScope parent) { this.parent = parent; }

    public static AllocationScope open() {
        AllocationScope s = new AllocationScope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** Runs {@code body} with no scope, so what it allocates lives until closed explicitly. */
    public static <T> T outside(Supplier<T> body) {
        AllocationScope s = CURRENT.get();
        CURRENT.remove();
        try {
            return body.get();
        } finally {
            if (s != null) CURRENT.set(s);
        }
    }

    static void track(Tensor t) {
        AllocationScope s = CURRENT.get();
        if (s != null) s.owned.add(t);
    }

    /** Lets {@code t} outlive this scope: it moves to the enclosing scope, or to nobody. */
    public Tensor keep(Tensor t) {
        if (kept.add(t) && parent != null) parent.owned.add(t);
        return t;
    }

    /** Tensors this scope will free on close. */
    public int size() { return owned.size() - kept.size(); }

    @Override
    public void close() {
        if (closed) return;
        if (Thread.currentThread() != owner) throw new IllegalStateException("allocation scope closed on another thread");
        if (CURRENT.get() != this) throw new IllegalStateException("allocation scopes must close innermost first");
        closed = true;
        CURRENT.set(parent);
        for (Tensor t : owned) if (!kept.contains(t)) t.close();
        owned.clear();
    }
}
