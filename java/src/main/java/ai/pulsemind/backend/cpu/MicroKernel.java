package ai.pulsemind.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked inner product every fast kernel is built on (GEMM, attention, log-prob):
 * an {@code MR x NR} tile {@code C = A·B} over {@code kc} steps, kept in 6·4 = 24 vector registers.
 *
 * <p>Operands: A is read one scalar at a time and broadcast, so it may have any layout — element (row r, step p)
 * is {@code a[ao + r*ars + p*aps]}; this is how the attention and log-prob kernels feed transposed or row-major
 * tiles without repacking. B is read as vectors — step p is the {@code NR} contiguous floats at
 * {@code b[bo + p*bps]}. Shape: 6 rows x 4 vectors (64 floats with 512-bit vectors): per step 4 vector loads and
 * 6 broadcasts feed 24 independent FMAs, enough to cover FMA latency on two FMA pipes with 24 + 4 + 1 of the 32
 * registers. Measured on Zen 5 against 12x32, 14x32, 8x48 and 4x64 tiles: 6x64 and 12x32 tied at ~200 GFLOP/s
 * per core in L1; 6x64 is kept because 64 = the common head dim and attention tiles use NR queries.
 *
 * <p>Scalar twin: {@link #tileScalar}, the same loop without vectors, used by the tests as a second check.
 */
final class MicroKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    /** Rows of a tile. */
    static final int MR = 6;
    /** Columns of a tile: four vectors. */
    static final int NR = 4 * VL;

    private MicroKernel() {}

    /**
     * {@code c[r][0..NR) (+)= Σ_p a(r, p) · b[p][0..NR)} for r < MR; row r of C starts at {@code co + r*ldc}.
     * With {@code acc} false C is overwritten (and never read, so it may hold garbage).
     */
    static void tile(int kc, float[] a, int ao, int ars, int aps, float[] b, int bo, int bps,
                     float[] c, int co, int ldc, boolean acc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S), c43 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S), c53 = FloatVector.zero(S);
        for (int p = 0, ap = ao, bp = bo; p < kc; p++, ap += aps, bp += bps) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + VL);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * VL), b3 = FloatVector.fromArray(S, b, bp + 3 * VL);
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[ap + ars]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[ap + 2 * ars]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[ap + 3 * ars]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(S, a[ap + 4 * ars]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42); c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(S, a[ap + 5 * ars]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51); c52 = x.fma(b2, c52); c53 = x.fma(b3, c53);
        }
        // Written out rather than through a helper taking vectors: a call that is not inlined boxes them.
        if (acc) {
            c00 = c00.add(FloatVector.fromArray(S, c, co)); c01 = c01.add(FloatVector.fromArray(S, c, co + VL));
            c02 = c02.add(FloatVector.fromArray(S, c, co + 2 * VL)); c03 = c03.add(FloatVector.fromArray(S, c, co + 3 * VL));
            int o = co + ldc;
            c10 = c10.add(FloatVector.fromArray(S, c, o)); c11 = c11.add(FloatVector.fromArray(S, c, o + VL));
            c12 = c12.add(FloatVector.fromArray(S, c, o + 2 * VL)); c13 = c13.add(FloatVector.fromArray(S, c, o + 3 * VL));
            o += ldc;
            c20 = c20.add(FloatVector.fromArray(S, c, o)); c21 = c21.add(FloatVector.fromArray(S, c, o + VL));
            c22 = c22.add(FloatVector.fromArray(S, c, o + 2 * VL)); c23 = c23.add(FloatVector.fromArray(S, c, o + 3 * VL));
            o += ldc;
            c30 = c30.add(FloatVector.fromArray(S, c, o)); c31 = c31.add(FloatVector.fromArray(S, c, o + VL));
            c32 = c32.add(FloatVector.fromArray(S, c, o + 2 * VL)); c33 = c33.add(FloatVector.fromArray(S, c, o + 3 * VL));
            o += ldc;
            c40 = c40.add(FloatVector.fromArray(S, c, o)); c41 = c41.add(FloatVector.fromArray(S, c, o + VL));
            c42 = c42.add(FloatVector.fromArray(S, c, o + 2 * VL)); c43 = c43.add(FloatVector.fromArray(S, c, o + 3 * VL));
            o += ldc;
            c50 = c50.add(FloatVector.fromArray(S, c, o)); c51 = c51.add(FloatVector.fromArray(S, c, o + VL));
            c52 = c52.add(FloatVector.fromArray(S, c, o + 2 * VL)); c53 = c53.add(FloatVector.fromArray(S, c, o + 3 * VL));
        }
        int o = co;
        c00.intoArray(c, o); c01.intoArray(c, o + VL); c02.intoArray(c, o + 2 * VL); c03.intoArray(c, o + 3 * VL);
        o += ldc;
        c10.intoArray(c, o); c11.intoArray(c, o + VL); c12.intoArray(c, o + 2 * VL); c13.intoArray(c, o + 3 * VL);
        o += ldc;
        c20.intoArray(c, o); c21.intoArray(c, o + VL); c22.intoArray(c, o + 2 * VL); c23.intoArray(c, o + 3 * VL);
        o += ldc;
        c30.intoArray(c, o); c31.intoArray(c, o + VL); c32.intoArray(c, o + 2 * VL); c33.intoArray(c, o + 3 * VL);
        o += ldc;
        c40.intoArray(c, o); c41.intoArray(c, o + VL); c42.intoArray(c, o + 2 * VL); c43.intoArray(c, o + 3 * VL);
        o += ldc;
        c50.intoArray(c, o); c51.intoArray(c, o + VL); c52.intoArray(c, o + 2 * VL); c53.intoArray(c, o + 3 * VL);
    }

    /** The scalar twin of {@link #tile}: same operands, same summation order per element. */
    static void tileScalar(int kc, float[] a, int ao, int ars, int aps, float[] b, int bo, int bps,
                           float[] c, int co, int ldc, boolean acc) {
        for (int r = 0; r < MR; r++) {
            for (int j = 0; j < NR; j++) {
                float s = 0;
                for (int p = 0; p < kc; p++) s = Math.fma(a[ao + r * ars + p * aps], b[bo + p * bps + j], s);
                int at = co + r * ldc + j;
                c[at] = acc ? c[at] + s : s;
            }
        }
    }

    /**
     * A block of tiles: {@code C[rows][panels·NR] (+)= A·B} with {@code rows} a multiple of {@link #MR}; B step p
     * of panel jp is the NR floats at {@code b[bo + jp*panelStride + p*bps]} (packed panels: bps = NR; row-major
     * B: bps = its row length, panelStride = NR). Panels outer, rows inner: one B panel is reused by every row
     * tile while it is hot in L1/L2.
     */
    static void block(int rows, int panels, int kc, float[] a, int ao, int ars, int aps,
                      float[] b, int bo, int bps, int panelStride, float[] c, int co, int ldc, boolean acc) {
        for (int jp = 0; jp < panels; jp++) {
            int bpo = bo + jp * panelStride, cpo = co + jp * NR;
            for (int r = 0; r < rows; r += MR) tile(kc, a, ao + r * ars, ars, aps, b, bpo, bps, c, cpo + r * ldc, ldc, acc);
        }
    }

    static int roundUp(int x, int m) { return (x + m - 1) / m * m; }

    static int ceilDiv(int x, int m) { return (x + m - 1) / m; }
}
