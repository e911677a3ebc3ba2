package ai.pulsemind.tensor;

import java.util.Arrays;

/** An immutable list of dimension sizes. Negative indices count from the end, as in NumPy. */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        for (int d : dims) if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(dims));
        this.dims = dims;
    }

    public static Shape of(int... dims) { return new Shape(dims.clone()); }

    public static Shape scalar() { return new Shape(new int[0]); }

    public int rank() { return dims.length; }

    /** Size of dimension {@code i}; {@code i < 0} counts from the end. */
    public int dim(int i) { return dims[axis(i)]; }

    /** Resolves a possibly negative axis against this rank, with a clear error when out of range. */
    public int axis(int i) {
        int a = i < 0 ? i + dims.length : i;
        if (a < 0 || a >= dims.length) throw new IllegalArgumentException("axis " + i + " out of range for shape " + this);
        return a;
    }

    public long numel() {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    /** Product of all dimensions but the last: the number of rows when the tensor is seen as (rows, last). */
    public long rows() { return dims.length == 0 ? 1 : numel() / Math.max(1, dims[dims.length - 1]); }

    public int last() { return dims.length == 0 ? 1 : dims[dims.length - 1]; }

    public int[] toArray() { return dims.clone(); }

    /** Same element count (a reshape between the two is possible). */
    public boolean numelEquals(Shape other) { return numel() == other.numel(); }

    /** Row-major strides in elements. */
    public long[] contiguousStrides() {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    public Shape with(int axis, int size) {
        int[] d = dims.clone();
        d[axis(axis)] = size;
        return new Shape(d);
    }

    /** Resolves one {@code -1} entry so the element count matches {@code numel}. */
    public static Shape inferred(long numel, int... dims) {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("only one -1 allowed in " + Arrays.toString(dims));
                infer = i;
            } else known *= dims[i];
        }
        int[] out = dims.clone();
        if (infer >= 0) {
            if (known == 0 || numel % known != 0)
                throw new IllegalArgumentException("cannot infer -1 in " + Arrays.toString(dims) + " for " + numel + " elements");
            out[infer] = (int) (numel / known);
        }
        return new Shape(out);
    }

    @Override
    public boolean equals(Object o) { return o instanceof Shape s && Arrays.equals(dims, s.dims); }

    @Override
    public int hashCode() { return Arrays.hashCode(dims); }

    @Override
    public String toString() { return Arrays.toString(dims); }
}
