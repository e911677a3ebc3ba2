package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.conformance.Parity;
import ai.pulsemind.backend.conformance.Target;
import ai.pulsemind.backend.conformance.Tolerances;
import ai.pulsemind.tensor.Device;

import java.util.ArrayList;
import java.util.List;

/**
 * The CUDA backend as a conformance target: its dtype table, the CUDA tolerance table, every attention kernel
 * choice for the forward (the default and the plain scalar kernels for the backward and decode), its head-dim
 * limits, its log-prob chunk budget, the small cases on the CPU emulator of tools/gpu-dev, and every check recorded
 * for the {@code gpu-parity} report.
 */
final class CudaTarget extends Target {
    private final CudaBackend be;

    CudaTarget(CudaBackend be) {
        super("cuda", be, CudaDtypes.RULES, Tolerances::cuda, Parity.GPU, emulated(be));
        this.be = be;
        Parity.GPU.device(be.info().name(), be.info().driverCuda());
    }

    /** A CUDA backend on device 0, its device named in the parity report. */
    static CudaBackend open() {
        CudaBackend be = (CudaBackend) new CudaBackendProvider().open(Device.cuda(0), 1);
        Parity.GPU.device(be.info().name(), be.info().driverCuda());
        return be;
    }

    /** True on tools/gpu-dev/java_emu.py's emulated device: tests keep to their small cases there. */
    static boolean emulated(CudaBackend be) { return be.diagnostics().emulated(); }

    /** The tensor-core and scalar kernels take head dims that are multiples of 8, up to 128. */
    @Override public boolean attentionHeadDim(int d) { return d > 0 && d % 8 == 0 && d <= 128; }

    @Override
    public List<Variant> attentionVariants(boolean backward) {
        List<Variant> out = new ArrayList<>();
        for (AttentionKernels k : backward ? new AttentionKernels[] {AttentionKernels.AUTO, AttentionKernels.V1} : AttentionKernels.values())
            out.add(new Variant() {
                @Override public String label() { return " " + k; }

                @Override public void apply() { be.useAttentionKernels(k); }
            });
        return out;
    }

    @Override
    public void logprobChunkBudget(long bytes) { be.logprobScratchBytes(bytes > 0 ? bytes : LogprobLaunch.SCRATCH_BYTES); }
}
