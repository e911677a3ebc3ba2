package ai.pulsemind.backend.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kernels this build shipped: every kernel the backend can launch is in the index, each fatbin is present,
 * and every ptxas report shows no spills. Needs a build with nvcc (dev machines and CI have it); without nvcc the
 * test is reported as gated, like the GPU tests.
 */
class KernelBuildTest {
    private static boolean nvccOnPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":"))
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nvcc"))) return true;
        return false;
    }

    @Test
    void everyKernelTheBackendLaunchesWasBuilt() throws IOException {
        KernelIndex index = KernelIndex.load();
        if (index == null) {
            assumeTrue(!nvccOnPath(), "nvcc is on PATH, so the kernel index must be in the build");
            assumeTrue(false, "GPU-gated: built without nvcc, no kernels to check");
        }
        for (String k : KernelNames.all())
            assertTrue(index.moduleOf().containsKey(k), k + " is launched by CudaBackend but missing from " + index);
        for (String module : index.moduleOf().values().stream().distinct().toList()) {
            try (InputStream f = getClass().getResourceAsStream(KernelIndex.DIR + module + ".fatbin");
                 InputStream r = getClass().getResourceAsStream(KernelIndex.DIR + module + ".ptxas.txt")) {
                assertNotNull(f, module + ".fatbin");
                assertNotNull(r, module + ".ptxas.txt");
                String report = new String(r.readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(report.contains("for 'sm_90a'") && report.contains("for 'sm_80'"), module + ": both targets compiled");
                assertFalse(report.matches("(?s).*[1-9]\\d* bytes spill (stores|loads).*"), module + " spills registers:\n" + report);
            }
        }
        assertEquals(index.moduleOf().size(), index.moduleOf().keySet().stream().filter(k -> k.startsWith("pm_")).count(),
                "every kernel follows the pm_ naming");
    }
}
