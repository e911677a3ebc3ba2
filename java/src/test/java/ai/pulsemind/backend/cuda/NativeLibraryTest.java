package ai.pulsemind.backend.cuda;

import org.junit.jupiter.api.Test;

import java.lang.foreign.SymbolLookup;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Soname resolution (cuBLASLt .13 then .12) and symbol binding, with a fake loader: no CUDA library needed. */
class NativeLibraryTest {
    /** A loader that "has" only the named libraries, each exporting {@code symbols}; records what was tried. */
    private static final class FakeLoader implements NativeLibrary.Loader {
        final Set<String> present;
        final Set<String> symbols;
        final List<String> tried = new ArrayList<>();

        FakeLoader(Set<String> present, Set<String> symbols) {
            this.present = present;
            this.symbols = symbols;
        }

        @Override public SymbolLookup load(String soname) {
            tried.add(soname);
            if (!present.contains(soname)) throw new IllegalArgumentException("Cannot open library: " + soname);
            return name -> symbols.contains(name) ? Optional.of(java.lang.foreign.MemorySegment.ofAddress(0x1000)) : Optional.empty();
        }
    }

    @Test
    void prefersCublasLt13() {
        FakeLoader l = new FakeLoader(Set.of("libcublasLt.so.13", "libcublasLt.so.12"), Set.of());
        NativeLibrary.Resolution r = NativeLibrary.resolve(CublasLt.SONAMES, l);
        assertTrue(r.found());
        assertEquals("libcublasLt.so.13", r.library().soname());
        assertEquals(List.of("libcublasLt.so.13"), l.tried, "stops at the first soname that loads");
    }

    @Test
    void fallsBackTo12AndSaysSo() {
        FakeLoader l = new FakeLoader(Set.of("libcublasLt.so.12"), Set.of());
        NativeLibrary.Resolution r = NativeLibrary.resolve(CublasLt.SONAMES, l);
        assertEquals("libcublasLt.so.12", r.library().soname());
        assertEquals("libcublasLt.so.12 (after libcublasLt.so.13 not found)", r.detail());
    }

    @Test
    void namesEveryCandidateWhenNoneLoads() {
        NativeLibrary.Resolution r = NativeLibrary.resolve(CublasLt.SONAMES, new FakeLoader(Set.of(), Set.of()));
        assertFalse(r.found());
        assertEquals("libcublasLt.so.13 not found, libcublasLt.so.12 not found", r.detail());
    }

    @Test
    void bindUsesFallbackSymbolAndNamesMissingOnes() {
        FakeLoader l = new FakeLoader(Set.of("libcuda.so.1"), Set.of("cuEventElapsedTime"));
        NativeLibrary lib = NativeLibrary.resolve(List.of("libcuda.so.1"), l).library();
        CudaDriver.Fn f = CudaDriver.EVENT_ELAPSED;
        lib.bind(f.symbol(), f.descriptor(), f.fallbacks()); // _v2 absent: the first version is taken
        CudaException e = assertThrows(CudaException.class,
                () -> lib.bind(CudaDriver.MEM_ALLOC.symbol(), CudaDriver.MEM_ALLOC.descriptor()));
        assertTrue(e.getMessage().contains("libcuda.so.1 does not export cuMemAlloc_v2"), e.getMessage());
    }

    @Test
    void theSystemLoaderReportsAMissingLibraryAsNotFound() {
        NativeLibrary.Resolution r = NativeLibrary.resolve(List.of("libpulsemind-no-such-library.so.7"), NativeLibrary.SYSTEM);
        assertFalse(r.found());
        assertEquals("libpulsemind-no-such-library.so.7 not found", r.detail());
    }
}
