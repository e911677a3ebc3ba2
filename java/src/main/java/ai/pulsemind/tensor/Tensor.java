package ai.pulsemind.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An n-dimensional array: a dtype, a shape, strides and an offset (both in elements) into a {@link Storage}.
 *
 * <p>Memory: the tensor that allocated its storage owns it and frees it on {@link #close()}; views
 * ({@link #reshape}, {@link #narrow}, {@link #transpose}) share the storage and never free it. Using any tensor
 * whose storage was released is an {@link IllegalStateException} naming the op.
 *
 * <p>Autograd state ({@link #requiresGrad()}, {@link #grad()}, {@link #gradFn()}) lives here; the engine that
 * walks it lives in {@code ai.pulsemind.autograd}.
 */
public final class Tensor implements AutoCloseable {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Storage storage;
    private final boolean ownsStorage;
    private final DType dtype;
    private final Shape shape;
    private final long[] strides;
    private final long offset;

    private boolean requiresGrad;
    private Tensor grad;
    private GradNode gradFn;
    private String name;

    public Tensor(Storage storage, boolean ownsStorage, DType dtype, Shape shape, long[] strides, long offset) {
        if (strides.length != shape.rank())
            throw new IllegalArgumentException("strides " + Arrays.toString(strides) + " do not match shape " + shape);
        this.storage = storage;
        this.ownsStorage = ownsStorage;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    /** A new contiguous tensor over {@code storage}, which it owns. */
    public static Tensor owning(Storage storage, DType dtype, Shape shape) {
        Tensor t = new Tensor(storage, true, dtype, shape, shape.contiguousStrides(), 0);
        AllocationScope.track(t);
        return t;
    }

    // ---------------------------------------------------------------- host factories

    /** Uninitialised host memory from the caching allocator. */
    public static Tensor hostEmpty(DType dtype, Shape shape) {
        long bytes = Math.max(1, shape.numel() * dtype.byteSize());
        return owning(new HostStorage(HostAllocator.global().allocate(bytes), HostAllocator.global()), dtype, shape);
    }

    public static Tensor hostZeros(DType dtype, Shape shape) {
        Tensor t = hostEmpty(dtype, shape);
        t.segment().fill((byte) 0);
        return t;
    }

    public static Tensor of(float[] data, int... dims) {
        Shape s = Shape.of(dims);
        checkCount(data.length, s);
        Tensor t = hostEmpty(DType.F32, s);
        MemorySegment.copy(data, 0, t.segment(), F32, 0, data.length);
        return t;
    }

    public static Tensor ofInts(int[] data, int... dims) {
        Shape s = Shape.of(dims);
        checkCount(data.length, s);
        Tensor t = hostEmpty(DType.I32, s);
        MemorySegment.copy(data, 0, t.segment(), I32, 0, data.length);
        return t;
    }

    /** Wraps memory owned elsewhere (a mapped checkpoint, a caller's arena) without copying. */
    public static Tensor wrap(MemorySegment segment, DType dtype, Shape shape) {
        if (segment.byteSize() < shape.numel() * dtype.byteSize())
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes is too small for "
                    + dtype + shape);
        return new Tensor(HostStorage.external(segment), false, dtype, shape, shape.contiguousStrides(), 0);
    }

    private static void checkCount(int n, Shape s) {
        if (n != s.numel()) throw new IllegalArgumentException(n + " values do not fill shape " + s);
    }

    // ---------------------------------------------------------------- metadata

    public Storage storage() { return storage; }

    public DType dtype() { return dtype; }

    public Shape shape() { return shape; }

    public int rank() { return shape.rank(); }

    public int dim(int i) { return shape.dim(i); }

    public long numel() { return shape.numel(); }

    public Device device() { return storage.device(); }

    public long[] strides() { return strides.clone(); }

    public long stride(int axis) { return strides[shape.axis(axis)]; }

    /** Offset of the first element, in elements. */
    public long offset() { return offset; }

    public long byteOffset() { return offset * dtype.byteSize(); }

    public long byteSize() { return numel() * dtype.byteSize(); }

    public boolean isContiguous() {
        long expect = 1;
        for (int i = shape.rank() - 1; i >= 0; i--) {
            if (shape.dim(i) != 1 && strides[i] != expect) return false;
            expect *= shape.dim(i);
        }
        return true;
    }

    public String name() { return name; }

    public Tensor named(String n) {
        this.name = n;
        return this;
    }

    @Override
    public String toString() {
        return "Tensor" + (name != null ? "(" + name + ")" : "") + "[" + dtype + " " + shape + " " + device()
                + (isContiguous() ? "" : " strides=" + Arrays.toString(strides)) + (isClosed() ? " closed" : "") + "]";
    }

    // ---------------------------------------------------------------- host access

    /** The bytes of this contiguous host tensor, for kernels and I/O. */
    public MemorySegment segment() {
        if (!(storage instanceof HostStorage hs))
            throw new IllegalStateException(this + " is on " + device() + ": copy it to the host first");
        if (!isContiguous()) throw new IllegalStateException(this + " is not contiguous: make a contiguous copy first");
        return hs.segment().asSlice(byteOffset(), byteSize());
    }

    /** Element {@code i} in row-major order, widened to float (host tensors; any dtype). */
    public float getFloat(long i) {
        MemorySegment s = hostBase();
        long at = physical(i) * dtype.byteSize();
        return switch (dtype) {
            case F32 -> s.get(F32, at);
            case BF16 -> Half.bf16ToFloat(s.get(I16, at));
            case F16 -> Float.float16ToFloat(s.get(I16, at));
            case I32 -> s.get(I32, at);
            case I64 -> s.get(I64, at);
        };
    }

    public void setFloat(long i, float v) {
        MemorySegment s = hostBase();
        long at = physical(i) * dtype.byteSize();
        switch (dtype) {
            case F32 -> s.set(F32, at, v);
            case BF16 -> s.set(I16, at, Half.floatToBf16(v));
            case F16 -> s.set(I16, at, Float.floatToFloat16(v));
            case I32 -> s.set(I32, at, (int) v);
            case I64 -> s.set(I64, at, (long) v);
        }
    }

    public long getLong(long i) {
        MemorySegment s = hostBase();
        long at = physical(i) * dtype.byteSize();
        return switch (dtype) {
            case I32 -> s.get(I32, at);
            case I64 -> s.get(I64, at);
            default -> (long) getFloat(i);
        };
    }

    public float[] toFloatArray() {
        long n = numel();
        if (n > Integer.MAX_VALUE) throw new IllegalStateException(this + " is too large for a Java array");
        float[] out = new float[(int) n];
        if (dtype == DType.F32 && isContiguous() && storage instanceof HostStorage) {
            MemorySegment.copy(segment(), F32, 0, out, 0, out.length);
        } else {
            for (int i = 0; i < out.length; i++) out[i] = getFloat(i);
        }
        return out;
    }

    public int[] toIntArray() {
        int[] out = new int[Math.toIntExact(numel())];
        for (int i = 0; i < out.length; i++) out[i] = (int) getLong(i);
        return out;
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (numel() != 1) throw new IllegalStateException("item() needs one element, " + this + " has " + numel());
        return getFloat(0);
    }

    private MemorySegment hostBase() {
        if (!(storage instanceof HostStorage hs))
            throw new IllegalStateException(this + " is on " + device() + ": copy it to the host first");
        return hs.segment();
    }

    /** Maps a row-major logical index to a storage index through the strides. */
    private long physical(long i) {
        long p = offset;
        for (int d = shape.rank() - 1; d >= 0; d--) {
            int n = shape.dim(d);
            p += (i % n) * strides[d];
            i /= n;
        }
        return p;
    }

    // ---------------------------------------------------------------- views

    /**
     * A view with new dimensions (one may be -1) over the same elements. Needs a contiguous tensor.
     * Differentiable: the gradient flows back reshaped.
     */
    public Tensor reshape(int... dims) {
        Shape s = Shape.inferred(numel(), dims);
        if (s.numel() != numel())
            throw new IllegalArgumentException("reshape: cannot view " + shape + " (" + numel() + " elements) as " + s);
        if (!isContiguous()) throw new IllegalStateException("reshape: " + this + " is not contiguous");
        Tensor v = new Tensor(storage, false, dtype, s, s.contiguousStrides(), offset);
        if (requiresGrad && GradMode.isEnabled()) {
            v.requiresGrad = true;
            v.gradFn = new ReshapeNode(this);
        }
        return v;
    }

    /** Elements {@code [start, start+length)} along {@code axis}, as a view. Not differentiable (copy instead). */
    public Tensor narrow(int axis, int start, int length) {
        int a = shape.axis(axis);
        if (start < 0 || length < 0 || start + length > shape.dim(a))
            throw new IllegalArgumentException("narrow: [" + start + ", " + (start + length) + ") out of range for axis "
                    + a + " of " + shape);
        noGradView("narrow");
        return new Tensor(storage, false, dtype, shape.with(a, length), strides.clone(), offset + start * strides[a]);
    }

    /** Swaps two axes, as a strided view. Not differentiable (copy instead). */
    public Tensor transpose(int a0, int a1) {
        int x = shape.axis(a0), y = shape.axis(a1);
        int[] d = shape.toArray();
        long[] s = strides.clone();
        int td = d[x]; d[x] = d[y]; d[y] = td;
        long ts = s[x]; s[x] = s[y]; s[y] = ts;
        noGradView("transpose");
        return new Tensor(storage, false, dtype, Shape.of(d), s, offset);
    }

    private void noGradView(String op) {
        if (requiresGrad && GradMode.isEnabled())
            throw new IllegalStateException(op + ": " + this + " requires grad and a strided view would cut the graph;"
                    + " use the differentiable copy in ai.pulsemind.autograd.Fn");
    }

    // ---------------------------------------------------------------- autograd state

    public boolean requiresGrad() { return requiresGrad; }

    /** Marks a leaf tensor as a parameter whose gradient {@code backward} accumulates into {@link #grad()}. */
    public Tensor requiresGrad(boolean on) {
        if (gradFn != null && !on) throw new IllegalStateException("cannot clear requiresGrad on a non-leaf " + this);
        if (on && !dtype.isFloating()) throw new IllegalArgumentException("only floating tensors can require grad: " + this);
        this.requiresGrad = on;
        return this;
    }

    public Tensor grad() { return grad; }

    public void setGrad(Tensor g) {
        if (g != null && !g.shape.equals(shape))
            throw new IllegalArgumentException("grad shape " + g.shape + " does not match " + this);
        this.grad = g;
    }

    /** Frees and clears the accumulated gradient. */
    public void zeroGrad() {
        if (grad != null) grad.close();
        grad = null;
    }

    public GradNode gradFn() { return gradFn; }

    /** Set by differentiable ops on their outputs. */
    public void setGradFn(GradNode fn) {
        this.gradFn = fn;
        this.requiresGrad = fn != null || requiresGrad;
    }

    public boolean isLeaf() { return gradFn == null; }

    // ---------------------------------------------------------------- lifecycle

    public boolean isClosed() { return !storage.isAlive(); }

    /** Throws a clear error if this tensor's memory was released; ops call it with their name. */
    public Tensor checkAlive(String op) {
        if (!storage.isAlive()) throw new IllegalStateException(op + ": " + this + " was used after close");
        return this;
    }

    /** Frees the storage if this tensor allocated it; views do nothing. Idempotent. */
    @Override
    public void close() {
        if (ownsStorage) storage.release();
    }

    /** Reshape's backward: the gradient, viewed in the input's shape. */
    private record ReshapeNode(Tensor input) implements GradNode {
        @Override public Tensor[] inputs() { return new Tensor[] {input}; }

        @Override public Tensor[] backward(Tensor gradOutput) {
            return new Tensor[] {gradOutput.reshape(input.shape.toArray())};
        }

        @Override public String name() { return "reshape"; }
    }
}
