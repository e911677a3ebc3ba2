package ai.pulsemind.backend.cuda;

import ai.pulsemind.tensor.Tensor;

/**
 * What benchmarks and diagnostics may ask of a {@link CudaBackend} beyond the op table: the device's figures,
 * device-side timing with CUDA events on the backend's stream, a raw device copy (the bandwidth ceiling kernels
 * are measured against), the launch plans the backend would choose, and the allocator's peak. Nothing here
 * changes what the ops compute.
 */
public final class CudaDiagnostics {
    private final LaunchContext cx;
    private final LogprobLaunch logprobs;

    CudaDiagnostics(LaunchContext cx, LogprobLaunch logprobs) {
        this.cx = cx;
        this.logprobs = logprobs;
    }

    /** The device's name as the driver reports it, e.g. "NVIDIA H100 80GB HBM3". */
    public String deviceName() { return cx.info().name(); }

    public int multiprocessors() { return cx.info().multiprocessors(); }

    public long l2Bytes() { return cx.info().l2Bytes(); }

    /** True on the CPU emulator of tools/gpu-dev (java_emu.py): the real launchers and kernels, no GPU timing. */
    public boolean emulated() { return deviceName().contains("CPU emulator"); }

    /** A pair of CUDA events on the backend's stream: {@code start()}, the work, {@code stopMs()}. */
    public Timer timer() {
        cx.enter();
        return new Timer(new CudaEvent(cx.driver()), new CudaEvent(cx.driver()));
    }

    /** Device-side milliseconds between two events recorded on the backend's stream. */
    public final class Timer implements AutoCloseable {
        private final CudaEvent start, end;

        private Timer(CudaEvent start, CudaEvent end) {
            this.start = start;
            this.end = end;
        }

        public void start() { start.record(cx.stream()); }

        /** Records the end, waits for it, and returns the milliseconds since {@link #start()}. */
        public double stopMs() {
            end.record(cx.stream());
            end.synchronize();
            return start.elapsedMs(end);
        }

        @Override
        public void close() {
            start.close();
            end.close();
        }
    }

    /** {@code cuMemcpyDtoDAsync} of {@code src} into {@code dst}: contiguous device tensors of the same byte size. */
    public void rawCopy(Tensor src, Tensor dst) {
        cx.enter();
        if (!src.isContiguous() || !dst.isContiguous() || src.byteSize() != dst.byteSize())
            throw new IllegalArgumentException("rawCopy: " + src + " and " + dst + " must be contiguous and of one byte size");
        cx.driver().memcpyDtoDAsync(LaunchContext.address(dst), LaunchContext.address(src), src.byteSize(), cx.stream().segment());
    }

    /** {nsplit, chunk} of the split-K decode attention this device would run for the shape. */
    public int[] decodePlan(int batch, int hq, int hkv, int maxLen) {
        return AttentionLaunch.decodePlan(batch, hq, hkv, maxLen, cx.multiprocessors());
    }

    /** The fused log-prob's scratch budget in bytes (see {@link CudaBackend#logprobScratchBytes}). */
    public long logprobScratchBytes() { return logprobs.scratchBytes(); }

    /** Starts a new peak of the caching allocator's statistics at what is in use now. */
    public void resetPeakMemory() { cx.allocator().resetPeak(); }
}
