package ai.pulsemind.backend;

/**
 * One AdamW step's hyper-parameters, PyTorch semantics: the gradient is first multiplied by {@code gradScale}
 * (global-norm clipping and loss normalisation folded into the update), then decoupled decay {@code p -= lr*wd*p},
 * then {@code p -= lr * mhat / (sqrt(vhat) + eps)} with bias-corrected moments.
 *
 * @param step      1-based step count, for bias correction
 * @param gradScale factor applied to the gradient before the moments see it (1: none)
 */
public record AdamWParams(float lr, float beta1, float beta2, float eps, float weightDecay, int step, float gradScale) {
    public AdamWParams {
        if (!(lr >= 0)) throw new IllegalArgumentException("AdamW lr must be >= 0, got " + lr);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
            throw new IllegalArgumentException("AdamW betas must be in [0, 1), got " + beta1 + ", " + beta2);
        if (!(eps > 0)) throw new IllegalArgumentException("AdamW eps must be > 0, got " + eps);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("AdamW weight decay must be >= 0, got " + weightDecay);
        if (step < 1) throw new IllegalArgumentException("AdamW step is 1-based, got " + step);
        if (!(gradScale >= 0) || Float.isInfinite(gradScale))
            throw new IllegalArgumentException("AdamW gradScale must be finite and >= 0, got " + gradScale);
    }

    /** Without a gradient scale. */
    public AdamWParams(float lr, float beta1, float beta2, float eps, float weightDecay, int step) {
        this(lr, beta1, beta2, eps, weightDecay, step, 1f);
    }

    /** bias correction 1 − β1^t, in double. */
    public double biasCorrection1() { return 1 - Math.pow(beta1, step); }

    /** bias correction 1 − β2^t, in double. */
    public double biasCorrection2() { return 1 - Math.pow(beta2, step); }
}
