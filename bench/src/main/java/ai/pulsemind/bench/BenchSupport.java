package ai.pulsemind.bench;

import ai.pulsemind.tensor.Tensor;

import java.util.SplittableRandom;

/** Inputs and result checks shared by the benchmarks. */
final class BenchSupport {
    private BenchSupport() {}

    /** Uniform in [-scale, scale), seeded: the same inputs in every fork. */
    static Tensor uniform(long seed, float scale, int... dims) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long n = 1;
        for (int d : dims) n *= d;
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        return Tensor.of(v, dims);
    }

    /** Fails the run (a benchmark that computes garbage must not report a time) unless got ≈ ref elementwise. */
    static void checkClose(String what, float[] got, float[] ref, double atol, double rtol) {
        if (got.length != ref.length) throw new IllegalStateException(what + ": " + got.length + " vs " + ref.length + " values");
        for (int i = 0; i < got.length; i++) {
            double diff = Math.abs((double) got[i] - ref[i]);
            if (!(diff <= atol + rtol * Math.abs(ref[i])))
                throw new IllegalStateException(what + ": element " + i + " is " + got[i] + ", expected " + ref[i]);
        }
    }

    static void checkFinite(String what, Tensor t) {
        float[] v = t.toFloatArray();
        for (int i = 0; i < v.length; i++)
            if (!Float.isFinite(v[i])) throw new IllegalStateException(what + ": element " + i + " is " + v[i]);
    }
}
