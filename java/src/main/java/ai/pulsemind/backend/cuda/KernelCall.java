package ai.pulsemind.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Packs one kernel's arguments for {@code cuLaunchKernel} and launches it: each argument is written to its own
 * 8-byte-aligned slot, and the parameter array points at the slots. The argument types must match the kernel's
 * C signature exactly ({@code ptr}: a pointer, {@code i64}: long long, {@code i32}: int, {@code f32}: float,
 * {@code struct}: a struct passed by value). The driver copies the arguments at launch, so one reusable buffer
 * serves every launch; a backend is used by one thread at a time, and the launch methods are synchronized.
 */
final class KernelCall {
    private static final int MAX_ARGS = 32;
    private static final int ARG_BYTES = 2048;

    private final CudaDriver driver;
    private final KernelModules modules;
    private final MemorySegment args;
    private final MemorySegment params;
    private String kernel;
    private int count;
    private long offset;

    KernelCall(CudaDriver driver, KernelModules modules, Arena arena) {
        this.driver = driver;
        this.modules = modules;
        this.args = arena.allocate(ARG_BYTES, 16);
        this.params = arena.allocate(ADDRESS, MAX_ARGS);
    }

    String kernel() { return kernel; }

    KernelCall start(String kernelName) {
        this.kernel = kernelName;
        this.count = 0;
        this.offset = 0;
        return this;
    }

    private MemorySegment slot(long bytes) {
        if (count == MAX_ARGS || offset + bytes > ARG_BYTES)
            throw new IllegalStateException(kernel + ": too many kernel arguments");
        MemorySegment s = args.asSlice(offset, bytes);
        params.setAtIndex(ADDRESS, count++, s);
        offset += (bytes + 7) & ~7L;
        return s;
    }

    KernelCall ptr(long address) {
        slot(8).set(JAVA_LONG, 0, address);
        return this;
    }

    KernelCall i64(long v) {
        slot(8).set(JAVA_LONG, 0, v);
        return this;
    }

    KernelCall i32(int v) {
        slot(4).set(JAVA_INT, 0, v);
        return this;
    }

    KernelCall f32(float v) {
        slot(4).set(JAVA_FLOAT, 0, v);
        return this;
    }

    KernelCall struct(MemorySegment bytes) {
        slot(bytes.byteSize()).copyFrom(bytes);
        return this;
    }

    void launch(long gridX, int gridY, int block, int smem, CudaStream stream) {
        if (gridX <= 0 || gridX > Integer.MAX_VALUE || gridY <= 0 || gridY > 65535)
            throw new IllegalArgumentException(kernel + ": grid " + gridX + " x " + gridY + " out of range");
        modules.ensureDynamicSmem(kernel, smem);
        driver.launchKernel(modules.function(kernel), (int) gridX, gridY, 1, block, 1, 1, smem, stream.segment(), params,
                kernel);
    }

    /**
     * A launch over a 3-D grid (x up to 2^31 − 1, y and z up to 65535) of 1-D blocks, with {@code smem} bytes of
     * dynamic shared memory (the function's limit is raised first when it exceeds 48 KiB).
     */
    void launch3d(long gridX, long gridY, long gridZ, int block, int smem, CudaStream stream) {
        if (gridX <= 0 || gridX > Integer.MAX_VALUE || gridY <= 0 || gridY > 65535 || gridZ <= 0 || gridZ > 65535)
            throw new IllegalArgumentException(kernel + ": grid " + gridX + " x " + gridY + " x " + gridZ + " out of range");
        modules.ensureDynamicSmem(kernel, smem);
        driver.launchKernel(modules.function(kernel), (int) gridX, (int) gridY, (int) gridZ, block, 1, 1, smem,
                stream.segment(), params, kernel);
    }

    void launch2d(long gridX, int gridY, int blockX, int blockY, CudaStream stream) {
        driver.launchKernel(modules.function(kernel), (int) gridX, gridY, 1, blockX, blockY, 1, 0, stream.segment(),
                params, kernel);
    }
}
