package ai.pulsemind.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A shared library opened by soname, and the lookup of its functions by exact symbol name.
 *
 * <p>Libraries are found by soname at run time, trying candidates in order (cuBLASLt: {@code .13}, then
 * {@code .12}), so one jar serves CUDA 12 and CUDA 13 hosts. The resolution logic takes the loader as a parameter
 * so it is tested without any CUDA library present.
 */
@SuppressWarnings("restricted") // dlopen and downcall linking happen here, for the CUDA libraries only
final class NativeLibrary {
    /** Opens a library by soname; throws {@link IllegalArgumentException} with the loader's reason when absent. */
    interface Loader {
        SymbolLookup load(String soname);
    }

    /** The system loader (dlopen through {@link SymbolLookup#libraryLookup}); libraries stay open for the JVM's life. */
    static final Loader SYSTEM = soname -> SymbolLookup.libraryLookup(soname, Arena.global());

    private final String soname;
    private final SymbolLookup lookup;

    private NativeLibrary(String soname, SymbolLookup lookup) {
        this.soname = soname;
        this.lookup = lookup;
    }

    /** The outcome of trying sonames: the library found, or why none was, naming every candidate. */
    record Resolution(NativeLibrary library, String detail) {
        boolean found() { return library != null; }
    }

    /** Tries {@code candidates} in order and returns the first that loads. */
    static Resolution resolve(List<String> candidates, Loader loader) {
        if (candidates.isEmpty()) throw new IllegalArgumentException("no sonames to try");
        List<String> failures = new ArrayList<>();
        for (String soname : candidates) {
            try {
                SymbolLookup l = loader.load(soname);
                String skipped = failures.isEmpty() ? "" : " (after " + String.join("; ", failures) + ")";
                return new Resolution(new NativeLibrary(soname, l), soname + skipped);
            } catch (IllegalArgumentException e) {
                failures.add(soname + " not found");
            }
        }
        return new Resolution(null, String.join(", ", failures));
    }

    String soname() { return soname; }

    /** Whether the library exports {@code symbol}. */
    boolean has(String symbol) { return lookup.find(symbol).isPresent(); }

    /**
     * A downcall handle for {@code symbol}, or for the first of {@code fallbacks} the library exports (e.g. a
     * {@code _v2} entry point that older drivers lack). Fails naming the library and every symbol tried.
     */
    MethodHandle bind(String symbol, FunctionDescriptor fd, String... fallbacks) {
        Optional<MemorySegment> s = lookup.find(symbol);
        for (int i = 0; s.isEmpty() && i < fallbacks.length; i++) s = lookup.find(fallbacks[i]);
        if (s.isEmpty())
            throw new CudaException(soname + " does not export " + symbol
                    + (fallbacks.length > 0 ? " (nor " + String.join(", ", fallbacks) + ")" : "")
                    + ": the library is older than this build expects");
        return Linker.nativeLinker().downcallHandle(s.get(), fd);
    }
}
