package ai.pulsemind.backend.cuda;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Zero-copy interop with JCuda ({@code org.jcuda:jcuda}, an optional dependency: services that already use
 * JCuda put it on their class path; nothing else here needs it). A JCuda {@link CUdeviceptr} becomes a tensor
 * over the same device memory, a tensor becomes a {@code CUdeviceptr} to its first element, and streams convert
 * both ways, so buffers and work queues are shared without copies.
 *
 * <p>JCuda keeps the raw address in private fields ({@code NativePointerObject.nativePointer} plus
 * {@code Pointer.byteOffset}), with no public accessor or constructor from a raw value; this class reads and
 * writes them through {@link MethodHandles#privateLookupIn}, which works when JCuda is on the class path (or an
 * open/automatic module). The memory stays owned by whoever allocated it: wrapping never frees.
 * Both sides must use the same device and context (JCuda's {@code cuCtxSetCurrent} of the primary context, or
 * the runtime API's default).
 */
public final class JCudaInterop {
    private static final VarHandle NATIVE_POINTER, BYTE_OFFSET;

    static {
        try {
            NATIVE_POINTER = MethodHandles.privateLookupIn(NativePointerObject.class, MethodHandles.lookup())
                    .findVarHandle(NativePointerObject.class, "nativePointer", long.class);
            BYTE_OFFSET = MethodHandles.privateLookupIn(Pointer.class, MethodHandles.lookup())
                    .findVarHandle(Pointer.class, "byteOffset", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("this JCuda version does not keep its pointers where JCudaInterop "
                    + "expects (NativePointerObject.nativePointer, Pointer.byteOffset): " + e);
        }
    }

    private JCudaInterop() {}

    /** The raw device address a JCuda pointer refers to (its base plus byte offset). */
    public static long address(CUdeviceptr p) {
        return (long) NATIVE_POINTER.get(p) + (long) BYTE_OFFSET.get(p);
    }

    /** A JCuda pointer to {@code address}, for passing our memory to JCuda calls. */
    public static CUdeviceptr pointer(long address) {
        CUdeviceptr p = new CUdeviceptr();
        NATIVE_POINTER.set(p, address);
        return p;
    }

    /** The tensor viewing {@code bytes} of JCuda-allocated memory as {@code dtype shape}; closing it frees nothing. */
    public static Tensor wrap(CudaBackend backend, CUdeviceptr p, long bytes, DType dtype, Shape shape) {
        return backend.wrap(address(p), bytes, dtype, shape);
    }

    /** A JCuda pointer to the first element of a CUDA tensor (no copy; the tensor keeps ownership). */
    public static CUdeviceptr unwrap(Tensor t) { return pointer(CudaBackend.address(t)); }

    /** The raw {@code CUstream} handle of a JCuda stream. */
    public static long handle(CUstream s) { return (long) NATIVE_POINTER.get(s); }

    /** Our stream over a JCuda stream (closing it leaves the JCuda stream alive); see {@link CudaBackend#useStream}. */
    public static CudaStream wrap(CudaBackend backend, CUstream s) {
        return CudaStream.wrap(backend.driver(), handle(s));
    }

    /** A JCuda stream for our stream's handle, to queue JCuda work in order with ours. */
    public static CUstream unwrap(CudaStream s) {
        CUstream j = new CUstream();
        NATIVE_POINTER.set(j, s.handle());
        return j;
    }
}
