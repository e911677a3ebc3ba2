package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.BackendProvider;
import ai.pulsemind.backend.Backends;
import org.junit.jupiter.api.Test;

import java.lang.foreign.SymbolLookup;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Discovery and the probe's reasons, on machines without CUDA (this is what CI and dev machines are): the probe
 * names exactly what is missing and never throws; {@code --device cuda} fails loudly; {@code auto} falls to CPU.
 */
class CudaProviderTest {
    private static final NativeLibrary.Loader NOTHING = s -> { throw new IllegalArgumentException("no " + s); };

    private static final KernelIndex SOME_KERNELS = KernelIndex.parse("# nvcc 13.0 V13.0.88\nelementwise pm_add_f32\n");

    @Test
    void probeNamesTheMissingDriverAndTheCublasLtSonamesTried() {
        BackendProvider.Availability a = CudaRuntime.probe(NOTHING, SOME_KERNELS).availability();
        assertFalse(a.available());
        assertEquals("libcuda.so.1 not found: no NVIDIA driver on this machine; cuBLASLt not found "
                + "(libcublasLt.so.13 not found, libcublasLt.so.12 not found)", a.detail());
    }

    @Test
    void probeReportsACublasLtItFoundEvenWithoutADriver() {
        NativeLibrary.Loader onlyBlas = s -> {
            if (s.equals("libcublasLt.so.12")) return SymbolLookup.loaderLookup();
            throw new IllegalArgumentException("no " + s);
        };
        String d = CudaRuntime.probe(onlyBlas, SOME_KERNELS).availability().detail();
        assertTrue(d.endsWith("cuBLASLt libcublasLt.so.12 (after libcublasLt.so.13 not found)"), d);
    }

    @Test
    void probeSaysWhenTheBuildHasNoKernels() {
        BackendProvider.Availability a = CudaRuntime.probe(NOTHING, null).availability();
        assertFalse(a.available());
        assertTrue(a.detail().startsWith("the CUDA kernels are not in this build (it was built without nvcc)"), a.detail());
    }

    @Test
    void theRegisteredProviderProbesWithoutThrowingHere() {
        BackendProvider p = Backends.provider("cuda");
        assertEquals(CudaBackendProvider.class, p.getClass(), "registered through META-INF/services");
        BackendProvider.Availability a = p.probe();
        assertNotNull(a.detail());
        assertFalse(a.detail().isBlank());
        if (!a.available()) assertTrue(a.detail().contains("not found") || a.detail().contains("no CUDA device")
                || a.detail().contains("cuInit failed") || a.detail().contains("not in this build"), a.detail());
    }

    @Test
    void deviceCudaFailsLoudlyAndAutoSaysWhyItUsesTheCpu() {
        BackendProvider.Availability a = new CudaBackendProvider().probe();
        if (a.available()) return; // on a GPU machine the GpuIT suite covers the other branch
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.open("cuda", 1));
        assertTrue(e.getMessage().startsWith("--device cuda: cuda backend unavailable: "), e.getMessage());
        assertTrue(e.getMessage().endsWith(a.detail()), e.getMessage());
        try (Backend b = Backends.open("auto", 1)) {
            assertEquals("cpu", b.name());
        }
        CudaException open = assertThrows(CudaException.class, () -> new CudaBackendProvider().open(
                ai.pulsemind.tensor.Device.cuda(0), 1));
        assertEquals(a.detail(), open.getMessage(), "opening without the probe fails with the same reason");
    }

    @Test
    void kernelIndexParsingRejectsDuplicatesAndEmptyModules() {
        KernelIndex k = KernelIndex.parse("# nvcc 13.0 V13.0.88\n# targets sm_80\nnorm pm_a pm_b\nrope pm_c\n");
        assertEquals(Map.of("pm_a", "norm", "pm_b", "norm", "pm_c", "rope"), k.moduleOf());
        assertEquals("nvcc 13.0 V13.0.88", k.compiler());
        assertEquals("3 kernels in 2 fatbins (nvcc 13.0 V13.0.88)", k.toString());
        assertThrows(CudaException.class, () -> KernelIndex.parse("a pm_x\nb pm_x\n"));
        assertThrows(CudaException.class, () -> KernelIndex.parse("lonely\n"));
    }
}
