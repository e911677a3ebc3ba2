package ai.pulsemind.train;

/**
 * Learning-rate schedules with linear warm-up, as transformers' {@code get_scheduler} defines them: for optimiser step
 * s (0-based) of T, with W warm-up steps, {@code lr(s) = peak · λ(s)} where λ rises as s/W during warm-up and then is
 * 1 (constant), (T − s)/(T − W) (linear, to 0) or ½(1 + cos(π·(s − W)/(T − W))) (cosine, to 0).
 *
 * @param totalSteps T, the optimiser steps of the whole run
 */
public record Schedule(Kind kind, double peak, int warmupSteps, int totalSteps) {
    public enum Kind { CONSTANT, LINEAR, COSINE }

    public Schedule {
        if (kind == null) throw new IllegalArgumentException("schedule kind is required (constant, linear, cosine)");
        if (!(peak >= 0) || Double.isInfinite(peak)) throw new IllegalArgumentException("--lr must be finite and >= 0, got " + peak);
        if (totalSteps < 1) throw new IllegalArgumentException("the run has " + totalSteps + " optimiser steps; it needs at least 1");
        if (warmupSteps < 0 || warmupSteps > totalSteps)
            throw new IllegalArgumentException("--warmup is " + warmupSteps + " steps, outside [0, " + totalSteps + "]");
    }

    /**
     * Warm-up given as steps ("10") or as a ratio of the run ("0.03", rounded up as transformers does).
     *
     * @throws IllegalArgumentException naming {@code --warmup}
     */
    public static int warmupSteps(String spec, int totalSteps) {
        String s = spec.trim();
        try {
            if (s.contains(".") || s.contains("e") || s.contains("E")) {
                double r = Double.parseDouble(s);
                if (!(r >= 0 && r <= 1)) throw new IllegalArgumentException("--warmup ratio must be in [0, 1], got " + spec);
                return (int) Math.ceil(r * totalSteps);
            }
            int n = Integer.parseInt(s);
            if (n < 0) throw new IllegalArgumentException("--warmup steps must be >= 0, got " + spec);
            return Math.min(n, totalSteps);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--warmup takes steps (10) or a ratio (0.03), got '" + spec + "'");
        }
    }

    public static Kind kind(String name) {
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "constant" -> Kind.CONSTANT;
            case "linear" -> Kind.LINEAR;
            case "cosine" -> Kind.COSINE;
            default -> throw new IllegalArgumentException("--schedule must be constant, linear or cosine, got '" + name + "'");
        };
    }

    /** The learning rate of optimiser step {@code step} (0-based). */
    public double lr(int step) {
        if (step < warmupSteps) return peak * step / Math.max(1, warmupSteps);
        if (kind == Kind.CONSTANT) return peak;
        double span = Math.max(1, totalSteps - warmupSteps);
        double progress = (step - warmupSteps) / span;
        return switch (kind) {
            case LINEAR -> peak * Math.max(0, 1 - progress);
            case COSINE -> peak * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
            case CONSTANT -> peak;
        };
    }
}
