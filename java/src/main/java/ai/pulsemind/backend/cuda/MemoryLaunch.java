package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.tensor.Half;
import ai.pulsemind.tensor.Tensor;

import java.lang.foreign.MemorySegment;

import static ai.pulsemind.backend.cuda.LaunchContext.ptr;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Fills, copies (host ⇄ device and device to device, either side strided) and dtype conversions: driver memsets and
 * memcpys where the layout allows, else the kernels of {@code convert.cu}.
 */
final class MemoryLaunch {
    private final LaunchContext cx;
    private final ReferenceBackend host = new ReferenceBackend();
    private final MemorySegment strided; // struct Strided in convert.cu: 3 x long long[8], 2 long longs, int (+ pad)

    MemoryLaunch(LaunchContext cx) {
        this.cx = cx;
        this.strided = cx.arena().allocate(8 * 27, 8);
    }

    void fill(Tensor dst, float value) {
        cx.checks().fill(dst);
        long a = ptr(dst), n = dst.numel();
        if (n == 0) return;
        MemorySegment s = cx.stream().segment();
        switch (dst.dtype()) {
            case F32 -> cx.driver().memsetAsync(a, 4, Float.floatToRawIntBits(value), n, s);
            case BF16 -> cx.driver().memsetAsync(a, 2, Half.floatToBf16(value), n, s);
            case F16 -> cx.driver().memsetAsync(a, 2, Float.floatToFloat16(value), n, s);
            case I32 -> cx.driver().memsetAsync(a, 4, (int) value, n, s);
            case I64 -> cx.launch1d(cx.kernel("pm_fill_b64").ptr(a).i64((long) value).i64(n), n);
        }
    }

    /** Same shape and dtype; each side on the host or on this device, either strided. */
    void copy(Tensor src, Tensor dst) {
        cx.checks().copy(src, dst);
        for (Tensor t : new Tensor[] {src, dst})
            if (!t.device().isHost() && !t.device().equals(cx.device()))
                throw new IllegalArgumentException("copy: " + t + " is on " + t.device() + ", this backend runs on " + cx.device());
        if (src.numel() == 0) return;
        if (src.device().isHost() && dst.device().isHost()) host.copy(src, dst);
        else if (src.device().isHost()) hostToDevice(src, dst);
        else if (dst.device().isHost()) deviceToHost(src, dst);
        else deviceCopy(src, dst);
    }

    private void hostToDevice(Tensor src, Tensor dst) {
        Tensor s = src.isContiguous() ? src : contiguousHost(src);
        if (dst.isContiguous()) {
            cx.driver().memcpyHtoDAsync(ptr(dst), s.segment(), s.byteSize(), cx.stream().segment());
        } else {
            try (Tensor tmp = cx.upload(s)) {
                deviceCopy(tmp, dst);
            }
        }
        if (s != src) s.close();
    }

    /** Synchronous: the host sees the data when this returns. */
    private void deviceToHost(Tensor src, Tensor dst) {
        Tensor s = src.isContiguous() ? src : deviceContiguous(src);
        if (dst.isContiguous()) {
            cx.driver().memcpyDtoHAsync(dst.segment(), ptr(s), s.byteSize(), cx.stream().segment());
            cx.synchronize();
        } else {
            try (Tensor tmp = Tensor.hostEmpty(src.dtype(), src.shape())) {
                cx.driver().memcpyDtoHAsync(tmp.segment(), ptr(s), s.byteSize(), cx.stream().segment());
                cx.synchronize();
                host.copy(tmp, dst);
            }
        }
        if (s != src) s.close();
    }

    private Tensor contiguousHost(Tensor t) {
        Tensor c = Tensor.hostEmpty(t.dtype(), t.shape());
        host.copy(t, c);
        return c;
    }

    private Tensor deviceContiguous(Tensor t) {
        Tensor c = cx.empty(t.dtype(), t.shape());
        deviceCopy(t, c);
        return c;
    }

    /** Device to device, either side strided (rank ≤ 8): a memcpy when both are contiguous, else a kernel. */
    void deviceCopy(Tensor src, Tensor dst) {
        if (src.isContiguous() && dst.isContiguous()) {
            cx.driver().memcpyDtoDAsync(ptr(dst), ptr(src), src.byteSize(), cx.stream().segment());
            return;
        }
        int rank = src.rank();
        if (rank > 8) throw new IllegalArgumentException("copy: strided copies support rank <= 8, got " + src.shape());
        MemorySegment st = strided;
        st.fill((byte) 0);
        long[] ss = src.strides(), ds = dst.strides();
        for (int i = 0; i < rank; i++) {
            st.setAtIndex(JAVA_LONG, i, src.dim(i));
            st.setAtIndex(JAVA_LONG, 8 + i, ss[i]);
            st.setAtIndex(JAVA_LONG, 16 + i, ds[i]);
        }
        // base pointers are the storages' first bytes; offsets travel in elements
        st.setAtIndex(JAVA_LONG, 24, src.offset());
        st.setAtIndex(JAVA_LONG, 25, dst.offset());
        st.set(JAVA_INT, 8 * 26, rank);
        long base = ((CudaStorage) src.storage()).address(), dbase = ((CudaStorage) dst.storage()).address();
        String k = "pm_strided_copy_b" + src.dtype().byteSize();
        cx.launch1d(cx.kernel(k).ptr(base).ptr(dbase).i64(src.numel()).struct(st), src.numel());
    }

    void convert(Tensor src, Tensor dst) {
        cx.checks().convert(src, dst);
        if (src.numel() == 0) return;
        if (src.dtype() == dst.dtype()) {
            deviceCopy(src, dst);
            return;
        }
        String k = "pm_convert_" + KernelNames.suffix(src.dtype()) + "_" + KernelNames.suffix(dst.dtype());
        cx.launch1d(cx.kernel(k).ptr(ptr(src)).ptr(ptr(dst)).i64(src.numel()), (src.numel() + 7) / 8);
    }
}
