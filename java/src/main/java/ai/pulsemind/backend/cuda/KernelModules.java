package ai.pulsemind.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * The fatbins of this build, loaded into the current context on first use ({@code cuModuleLoadData}), and
 * their kernels looked up by name once and cached. The driver picks the sm_80 or sm_90a code, or JIT-compiles
 * the compute_90 PTX on newer GPUs.
 */
final class KernelModules implements AutoCloseable {
    private final CudaDriver driver;
    private final KernelIndex index;
    private final Map<String, MemorySegment> modules = new HashMap<>();
    private final Map<String, MemorySegment> functions = new HashMap<>();
    private final Map<String, Integer> dynamicSmem = new HashMap<>();
    private final Map<String, Integer> occupancy = new HashMap<>();

    KernelModules(CudaDriver driver, KernelIndex index) {
        this.driver = driver;
        this.index = index;
    }

    /** The CUfunction for {@code kernel}; fails naming the kernel when this build does not have it. */
    synchronized MemorySegment function(String kernel) {
        MemorySegment f = functions.get(kernel);
        if (f != null) return f;
        String module = index.moduleOf().get(kernel);
        if (module == null)
            throw new CudaException("kernel " + kernel + " is not in this build's fatbins (" + index + ")");
        f = driver.moduleGetFunction(module(module), kernel);
        functions.put(kernel, f);
        return f;
    }

    /** Raises the kernel's dynamic shared memory limit when a launch needs more than the default 48 KiB. */
    synchronized void ensureDynamicSmem(String kernel, int bytes) {
        if (bytes <= 48 * 1024 || dynamicSmem.getOrDefault(kernel, 0) >= bytes) return;
        driver.funcSetAttribute(function(kernel), CudaDriver.FUNC_ATTR_MAX_DYNAMIC_SHARED, bytes, kernel);
        dynamicSmem.put(kernel, bytes);
    }

    /** Blocks of {@code block} threads (no dynamic shared memory) one SM holds at once: the occupancy calculator. */
    synchronized int blocksPerSm(String kernel, int block) {
        return occupancy.computeIfAbsent(kernel + "/" + block,
                k -> Math.max(1, driver.maxActiveBlocksPerSm(function(kernel), block, 0, kernel)));
    }

    private MemorySegment module(String name) {
        MemorySegment m = modules.get(name);
        if (m != null) return m;
        String res = KernelIndex.DIR + name + ".fatbin";
        byte[] image;
        try (InputStream in = KernelModules.class.getResourceAsStream(res)) {
            if (in == null) throw new CudaException("kernel fatbin " + res + " is listed in the index but missing from the jar");
            image = in.readAllBytes();
        } catch (IOException e) {
            throw new CudaException("cannot read " + res + ": " + e.getMessage());
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment img = a.allocate(image.length, 16);
            img.copyFrom(MemorySegment.ofArray(image));
            m = driver.moduleLoadData(img, name + ".fatbin"); // the driver copies the image
        }
        modules.put(name, m);
        return m;
    }

    @Override
    public synchronized void close() {
        for (MemorySegment m : modules.values()) driver.moduleUnload(m);
        modules.clear();
        functions.clear();
    }
}
