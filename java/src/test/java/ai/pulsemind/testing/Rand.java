package ai.pulsemind.testing;

import ai.pulsemind.tensor.Tensor;

import java.util.SplittableRandom;

/** Seeded random host tensors for tests. */
public final class Rand {
    private final SplittableRandom rnd;

    public Rand(long seed) { this.rnd = new SplittableRandom(seed); }

    /** Uniform in [-scale, scale). */
    public Tensor uniform(float scale, int... dims) {
        long n = 1;
        for (int d : dims) n *= d;
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        return Tensor.of(v, dims);
    }

    public Tensor ints(int bound, int... dims) {
        long n = 1;
        for (int d : dims) n *= d;
        int[] v = new int[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = rnd.nextInt(bound);
        return Tensor.ofInts(v, dims);
    }

    public double nextDouble() { return rnd.nextDouble(); }

    public int nextInt(int bound) { return rnd.nextInt(bound); }
}
