package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.OpChecks;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Device;
import ai.pulsemind.tensor.MemoryStats;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.logging.Logger;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What every launcher of the CUDA backend works with: the device (its context, what the backend knows about it),
 * the stream all work is issued on, kernel calls ({@link KernelCall} over the build's {@link KernelModules}), the
 * caching allocator, the argument contract ({@link OpChecks} with {@link CudaDtypes}), and the device error word
 * kernels report bad indices in. {@link CudaBackend} owns one and hands it to each op family's launcher; launchers
 * call one another directly, never back through the backend.
 *
 * <p>Threading: one thread at a time (like the stream itself); {@link #enter()} binds the context to whichever
 * thread calls.
 */
final class LaunchContext implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CudaBackend.class.getName());
    /** Threads per block of the grid-stride kernels. */
    static final int THREADS = 256;

    private final CudaRuntime rt;
    private final CudaDriver driver;
    private final Device device;
    private final CudaContext ctx;
    private final CudaContext.DeviceInfo info;
    private final DeviceAllocator alloc;
    private final KernelModules modules;
    private final Arena arena = Arena.ofShared();
    private final KernelCall call;
    private final OpChecks checks;
    private final MemorySegment errorHost = arena.allocate(24, 8);
    private final long errorWord;
    private final CudaStream ownStream;
    private CudaStream stream;
    private boolean closed;

    LaunchContext(CudaRuntime rt, int ordinal) {
        this.rt = rt;
        this.driver = rt.driver();
        this.device = Device.cuda(ordinal);
        this.ctx = new CudaContext(driver, ordinal);
        this.info = ctx.info();
        this.alloc = new DeviceAllocator(new DriverSource(driver));
        this.modules = new KernelModules(driver, rt.kernels());
        this.call = new KernelCall(driver, modules, arena);
        this.checks = new OpChecks(device, CudaDtypes.RULES);
        this.ownStream = new CudaStream(driver);
        this.stream = ownStream;
        this.errorWord = alloc.allocate(24);
        driver.memsetAsync(errorWord, 4, 0, 6, stream.segment());
    }

    /** cuMemAlloc / cuMemFree, with out-of-memory as 0 so the allocator can release its cache and retry. */
    private record DriverSource(CudaDriver d) implements DeviceAllocator.Source {
        @Override public long allocate(long bytes) { return d.memAlloc(bytes); }

        @Override public void free(long address) { d.memFree(address); }
    }

    // ------------------------------------------------------------------ the device and its stream

    /** Fails after close; binds the device's context to the calling thread. */
    void enter() {
        if (closed) throw new IllegalStateException("the cuda backend was closed");
        ctx.makeCurrent();
    }

    boolean isClosed() { return closed; }

    CudaRuntime runtime() { return rt; }

    CudaDriver driver() { return driver; }

    Device device() { return device; }

    CudaContext.DeviceInfo info() { return info; }

    int multiprocessors() { return info.multiprocessors(); }

    DeviceAllocator allocator() { return alloc; }

    OpChecks checks() { return checks; }

    /** Host memory for launch structs, alive as long as the backend. */
    Arena arena() { return arena; }

    CudaStream stream() { return stream; }

    /** Issues further work on {@code s} (null: the backend's own stream), after the current stream's work. */
    void useStream(CudaStream s) {
        stream.synchronize();
        stream = s == null ? ownStream : s;
    }

    /** Waits for the stream, then raises any error a kernel recorded. */
    void synchronize() {
        stream.synchronize();
        checkDeviceErrors();
    }

    /** The device word (see common.cuh) a kernel records an index error in; passed to the kernels that check. */
    long errorWord() { return errorWord; }

    /** Raises (and clears) an error a kernel recorded in the device error word. */
    private void checkDeviceErrors() {
        driver.memcpyDtoH(errorHost, errorWord, 24);
        int code = errorHost.get(JAVA_INT, 0);
        if (code == 0) return;
        long position = errorHost.get(JAVA_LONG, 8), value = errorHost.get(JAVA_LONG, 16);
        driver.memsetAsync(errorWord, 4, 0, 6, stream.segment());
        stream.synchronize();
        throw switch (code) {
            case KernelNames.ERR_GATHER_INDEX -> new IndexOutOfBoundsException("gatherRows: index " + value + " at position "
                    + position + " is outside the table (the row was left unwritten)");
            case KernelNames.ERR_SCATTER_INDEX -> new IndexOutOfBoundsException("scatterAddRows: index " + value
                    + " at position " + position + " is outside the table (the row was skipped)");
            default -> new CudaException("a kernel reported error code " + code + " at " + position);
        };
    }

    // ------------------------------------------------------------------ memory

    /** Uninitialised device memory of at least one byte. */
    Tensor empty(DType dtype, Shape shape) {
        long bytes = Math.max(1, shape.numel() * dtype.byteSize());
        return Tensor.owning(new CudaStorage(device, alloc.allocate(bytes), bytes, alloc), dtype, shape);
    }

    /** Uninitialised F32 scratch of at least one element. */
    Tensor scratch(long floats) { return empty(DType.F32, Shape.of((int) Math.max(1, floats))); }

    /** A device copy of a contiguous host tensor (small metadata: offsets, lengths, tables), queued on the stream. */
    Tensor upload(Tensor host) {
        if (!host.device().isHost() || !host.isContiguous())
            throw new IllegalArgumentException("upload: " + host + " must be a contiguous host tensor");
        Tensor t = empty(host.dtype(), host.shape());
        if (host.byteSize() > 0) driver.memcpyHtoDAsync(address(t), host.segment(), host.byteSize(), stream.segment());
        return t;
    }

    /** The device address of {@code t}'s first element (its storage's address plus its offset). */
    static long address(Tensor t) {
        if (!(t.storage() instanceof CudaStorage cs))
            throw new IllegalArgumentException(t + " is not a CUDA tensor");
        return cs.address() + t.byteOffset();
    }

    /** {@link #address}, or 0 for an absent optional tensor. */
    static long ptr(Tensor t) { return t == null ? 0 : address(t); }

    // ------------------------------------------------------------------ launches

    /** Starts packing a launch of {@code kernel}. */
    KernelCall kernel(String name) { return call.start(name); }

    /**
     * A grid-stride launch over {@code work} items: as many 256-thread blocks as the device holds at once (the
     * occupancy calculator's blocks per SM × SMs), fewer when there is less work; each thread then loops.
     */
    void launch1d(KernelCall c, long work) {
        long resident = (long) info.multiprocessors() * modules.blocksPerSm(c.kernel(), THREADS);
        long blocks = Math.max(1, Math.min((work + THREADS - 1) / THREADS, resident));
        c.launch(blocks, 1, THREADS, 0, stream);
    }

    /** Threads for a one-block-per-row kernel: one per pack of the row, a multiple of 32, at most 1024. */
    static int rowBlock(int cols, int width) {
        int packs = (cols + width - 1) / width;
        return Math.min(1024, Math.max(32, (packs + 31) / 32 * 32));
    }

    /** True when every (non-null) tensor starts on a 16-byte boundary: the kernels' packed loads may be used. */
    static boolean aligned(Tensor... ts) {
        for (Tensor t : ts) if (t != null && (address(t) & 15) != 0) return false;
        return true;
    }

    /** Elements per 16-byte pack. */
    static int pack(DType t) { return 16 / t.byteSize(); }

    static long cdiv(long a, long b) { return (a + b - 1) / b; }

    /** Shared memory for {@code arrays} per-column f32 accumulators, checked against the device's limit. */
    int sharedFor(String op, int cols, int arrays) {
        long bytes = 4L * cols * arrays;
        if (bytes > info.maxSharedPerBlockOptin())
            throw new UnsupportedOperationException(op + ": " + cols + " columns need " + bytes
                    + " bytes of shared memory, more than this device's " + info.maxSharedPerBlockOptin());
        return (int) bytes;
    }

    /** Frees what the context owns; launchers are closed first by the backend. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            alloc.free(errorWord);
            long left = alloc.stats().inUse();
            if (left > 0)
                LOG.warning("cuda backend closed with " + MemoryStats.human(left) + " still held by open tensors;"
                        + " that memory is reclaimed with the context");
            modules.close();
            ownStream.close();
            alloc.close();
        } finally {
            arena.close();
            ctx.close();
        }
    }
}
