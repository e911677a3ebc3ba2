package ai.pulsemind.backend.cuda;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.function.Function;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Calls through bound downcall handles that return a status code (a {@code CUresult}, a {@code cublasStatus_t}),
 * each checked by its library's checker, which raises {@link CudaException} naming the call: the one place for the
 * checking, the rethrowing and the out-parameters of the calls off the hot path. {@code invokeWithArguments} adapts
 * and boxes the arguments; the calls on the hot path (launches, asynchronous copies) keep their own
 * {@code invokeExact}.
 */
final class NativeCalls {
    /** Raises unless {@code status} means success. */
    interface Checker {
        void check(int status, String call);
    }

    private final Checker checker;

    NativeCalls(Checker checker) { this.checker = checker; }

    /** Calls {@code h} with {@code args} and checks its status; {@code what} names the call in a failure. */
    void call(MethodHandle h, String what, Object... args) {
        int status;
        try {
            status = (int) h.invokeWithArguments(args);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        checker.check(status, what);
    }

    /** A call whose first argument points at an out-parameter of {@code layout}; returns what {@code read} takes from it. */
    <T> T out(MethodHandle h, String what, MemoryLayout layout, Function<MemorySegment, T> read, Object... rest) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(layout);
            Object[] args = new Object[rest.length + 1];
            args[0] = v;
            System.arraycopy(rest, 0, args, 1, rest.length);
            call(h, what, args);
            return read.apply(v);
        }
    }

    int outInt(MethodHandle h, String what, Object... rest) { return out(h, what, JAVA_INT, v -> v.get(JAVA_INT, 0), rest); }

    /** A handle the call creates (a context, stream, event, module, descriptor). */
    MemorySegment outAddress(MethodHandle h, String what, Object... rest) {
        AddressLayout layout = ADDRESS;
        return out(h, what, layout, v -> v.get(ADDRESS, 0), rest);
    }

    /** An unchecked throwable as it is; a checked one (a downcall declares Throwable) wrapped. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
