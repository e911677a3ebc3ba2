package ai.pulsemind.backend;

/**
 * One AdamW step's hyper-parameters, PyTorch semantics: decoupled decay {@code p -= lr*wd*p}, then
 * {@code p -= lr * mhat / (sqrt(vhat) + eps)} with bias-corrected moments.
 *
 * @param step 1-based step count, for bias correction
 */
public record AdamWParams(float lr, float beta1, float beta2, float eps, float weightDecay, int step) {
    public AdamWParams {
        if (!(lr >= 0)) throw new IllegalArgumentException("AdamW lr must be >= 0, got " + lr);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
            throw new IllegalArgumentException("AdamW betas must be in [0, 1), got " + beta1 + ", " + beta2);
        if (!(eps > 0)) throw new IllegalArgumentException("AdamW eps must be > 0, got " + eps);
        if (step < 1) throw new IllegalArgumentException("AdamW step is 1-based, got " + step);
    }
}
