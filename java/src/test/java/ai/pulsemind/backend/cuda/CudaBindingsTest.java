package ai.pulsemind.backend.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The binding tables: every function has a well-formed descriptor returning its status, names are unique, and
 * each driver symbol is the one {@code cuda.h} maps the API name to (cuMemAlloc → cuMemAlloc_v2, ...), read from
 * the CUDA toolkit's header on this machine.
 */
class CudaBindingsTest {
    @Test
    void driverDescriptorsReturnCuResultAndNamesAreUnique() {
        Set<String> seen = new HashSet<>();
        for (CudaDriver.Fn f : CudaDriver.FUNCTIONS) {
            assertTrue(seen.add(f.symbol()), "duplicate binding " + f.symbol());
            assertEquals(ValueLayout.JAVA_INT, f.descriptor().returnLayout().orElseThrow(), f.symbol() + " returns CUresult");
            assertTrue(f.symbol().startsWith(f.api()), f.symbol() + " is a version of " + f.api());
        }
        assertTrue(seen.size() >= 40, "driver bindings: " + seen.size());
    }

    @Test
    void cublasLtDescriptorsAreUniqueAndStatusTyped() {
        Set<String> seen = new HashSet<>();
        for (CublasLt.Fn f : CublasLt.FUNCTIONS) {
            assertTrue(seen.add(f.symbol()), "duplicate binding " + f.symbol());
            assertTrue(f.symbol().startsWith("cublasLt"), f.symbol());
        }
        // cublasLtMatmul takes 16 arguments, the heuristic 10: a miscounted descriptor would crash at run time
        assertEquals(16, CublasLt.MATMUL.descriptor().argumentLayouts().size());
        assertEquals(10, CublasLt.HEURISTIC.descriptor().argumentLayouts().size());
        assertEquals(11, CudaDriver.LAUNCH_KERNEL.descriptor().argumentLayouts().size());
        // cublasLtMatmulHeuristicResult_t: 64-byte algo, size_t, int state, float waves, int[4]
        assertEquals(64 + 8 + 4 + 4 + 16, CublasLt.HEURISTIC_RESULT_BYTES);
    }

    /** The header's renames: {@code #define api symbol}, possibly through __CUDA_API_PTDS/PTSZ(...). */
    static Map<String, String> headerRenames(String header) {
        Map<String, String> m = new HashMap<>();
        Matcher mt = Pattern.compile("(?m)^#define\\s+(cu\\w+)\\s+(?:__CUDA_API_PT(?:DS|SZ)\\()?(cu\\w+)\\)?\\s*$").matcher(header);
        while (mt.find()) m.put(mt.group(1), mt.group(2));
        return m;
    }

    @Test
    void driverSymbolsMatchTheHeaderRenames() throws IOException {
        Path header = Path.of("/usr/local/cuda/include/cuda.h");
        assumeTrue(Files.exists(header), "GPU-gated: no CUDA toolkit header at " + header);
        String text = Files.readString(header);
        Map<String, String> renames = headerRenames(text);
        assertTrue(renames.size() > 50, "parsed " + renames.size() + " renames from cuda.h");
        for (CudaDriver.Fn f : CudaDriver.FUNCTIONS) {
            String expected = renames.getOrDefault(f.api(), f.api());
            assertEquals(expected, f.symbol(), "cuda.h maps " + f.api() + " to " + expected);
            assertTrue(text.contains(" CUDAAPI " + f.api() + "("), f.api() + " is declared in cuda.h");
        }
    }
}
