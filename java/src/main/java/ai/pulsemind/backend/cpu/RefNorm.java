package ai.pulsemind.backend.cpu;

import java.lang.foreign.MemorySegment;

import static ai.pulsemind.backend.cpu.Mem.f;

/** Reference RMSNorm, LayerNorm and softmax over the last dim of (R, C) rows, in double. */
final class RefNorm {
    private RefNorm() {}

    static void rmsnorm(MemorySegment x, MemorySegment w, float eps, MemorySegment out, MemorySegment rstd, long rows, int c) {
        for (long r = 0; r < rows; r++) {
            long o = r * c;
            double ss = 0;
            for (int i = 0; i < c; i++) {
                double v = f(x, o + i);
                ss += v * v;
            }
            double rs = 1.0 / Math.sqrt(ss / c + eps);
            for (int i = 0; i < c; i++) f(out, o + i, (float) (f(x, o + i) * rs * f(w, i)));
            f(rstd, r, (float) rs);
        }
    }

    static void rmsnormBackward(MemorySegment x, MemorySegment w, MemorySegment rstd, MemorySegment dout,
                                MemorySegment dx, MemorySegment dw, long rows, int c) {
        double[] dwAcc = new double[c];
        for (long r = 0; r < rows; r++) {
            long o = r * c;
            double rs = f(rstd, r);
            double dot = 0; // Σ_j w_j dout_j x_j
            for (int i = 0; i < c; i++) dot += (double) f(w, i) * f(dout, o + i) * f(x, o + i);
            for (int i = 0; i < c; i++) {
                double xi = f(x, o + i), di = f(dout, o + i);
                f(dx, o + i, (float) (rs * (f(w, i) * di - xi * rs * rs * dot / c)));
                dwAcc[i] += di * xi * rs;
            }
        }
        if (dw != null) for (int i = 0; i < c; i++) f(dw, i, (float) (f(dw, i) + dwAcc[i]));
    }

    static void layernorm(MemorySegment x, MemorySegment w, MemorySegment b, float eps, MemorySegment out,
                          MemorySegment mean, MemorySegment rstd, long rows, int c) {
        for (long r = 0; r < rows; r++) {
            long o = r * c;
            double mu = 0;
            for (int i = 0; i < c; i++) mu += f(x, o + i);
            mu /= c;
            double var = 0;
            for (int i = 0; i < c; i++) {
                double d = f(x, o + i) - mu;
                var += d * d;
            }
            double rs = 1.0 / Math.sqrt(var / c + eps);
            for (int i = 0; i < c; i++) f(out, o + i, (float) ((f(x, o + i) - mu) * rs * f(w, i) + f(b, i)));
            f(mean, r, (float) mu);
            f(rstd, r, (float) rs);
        }
    }

    static void layernormBackward(MemorySegment x, MemorySegment w, MemorySegment mean, MemorySegment rstd,
                                  MemorySegment dout, MemorySegment dx, MemorySegment dw, MemorySegment db,
                                  long rows, int c) {
        double[] dwAcc = new double[c], dbAcc = new double[c];
        for (long r = 0; r < rows; r++) {
            long o = r * c;
            double mu = f(mean, r), rs = f(rstd, r);
            double sumD = 0, sumDX = 0; // Σ dxhat, Σ dxhat·xhat
            for (int i = 0; i < c; i++) {
                double xhat = (f(x, o + i) - mu) * rs, dxhat = (double) f(dout, o + i) * f(w, i);
                sumD += dxhat;
                sumDX += dxhat * xhat;
            }
            for (int i = 0; i < c; i++) {
                double xhat = (f(x, o + i) - mu) * rs, di = f(dout, o + i), dxhat = di * f(w, i);
                f(dx, o + i, (float) (rs * (dxhat - sumD / c - xhat * sumDX / c)));
                dwAcc[i] += di * xhat;
                dbAcc[i] += di;
            }
        }
        if (dw != null) for (int i = 0; i < c; i++) f(dw, i, (float) (f(dw, i) + dwAcc[i]));
        if (db != null) for (int i = 0; i < c; i++) f(db, i, (float) (f(db, i) + dbAcc[i]));
    }

    static void softmax(MemorySegment x, MemorySegment out, long rows, int c) {
        for (long r = 0; r < rows; r++) {
            long o = r * c;
            double mx = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < c; i++) mx = Math.max(mx, f(x, o + i));
            double sum = 0;
            for (int i = 0; i < c; i++) sum += Math.exp(f(x, o + i) - mx);
            for (int i = 0; i < c; i++) f(out, o + i, (float) (Math.exp(f(x, o + i) - mx) / sum));
        }
    }

    static void softmaxBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, long rows, int c) {
        for (long r = 0; r < rows; r++) {
            long o = r * c;
            double dot = 0;
            for (int i = 0; i < c; i++) dot += (double) f(y, o + i) * f(dy, o + i);
            for (int i = 0; i < c; i++) f(dx, o + i, (float) (f(y, o + i) * (f(dy, o + i) - dot)));
        }
    }
}
