package ai.pulsemind.remote;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When and how long to wait before trying a request again.
 *
 * <p>Backoff before retry k (k = 1, 2, …) is drawn uniformly from [½·d, d] with d = min(maxBackoff,
 * initialBackoff·2^(k−1)): exponential, with jitter so that many clients that failed together do not come back
 * together, and never less than half the nominal wait. A {@code Retry-After} from the server replaces the backoff
 * (it knows when it will have room), capped at {@code maxRetryAfter} so a misconfigured server cannot stall a run.
 *
 * @param maxAttempts    attempts per request, the first included (1 = never retry)
 * @param initialBackoff the nominal wait before the first retry
 * @param maxBackoff     the nominal wait never grows past this
 * @param maxRetryAfter  the longest {@code Retry-After} obeyed
 * @param budget         the limit on retries across all requests of one client
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter,
                          RetryBudget.Config budget) {
    /** 5 attempts, 0.5 s doubling up to 20 s, Retry-After up to 60 s, the default budget. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(20),
            Duration.ofSeconds(60), RetryBudget.Config.DEFAULT);

    public RetryPolicy {
        if (maxAttempts < 1) throw new IllegalArgumentException("max attempts must be >= 1 (1 = no retries), got " + maxAttempts);
        if (initialBackoff.isNegative() || maxBackoff.isNegative() || maxRetryAfter.isNegative())
            throw new IllegalArgumentException("backoff durations must not be negative");
        if (maxBackoff.compareTo(initialBackoff) < 0)
            throw new IllegalArgumentException("max backoff " + maxBackoff + " is shorter than the initial backoff " + initialBackoff);
        java.util.Objects.requireNonNull(budget, "budget");
    }

    /** The wait before retry {@code retry} (1-based) after {@code cause}, in milliseconds. */
    public long delayMillis(int retry, RemoteException cause) {
        if (cause.retryAfterMillis() >= 0) return Math.min(cause.retryAfterMillis(), maxRetryAfter.toMillis());
        double nominal = Math.min(maxBackoff.toMillis(), initialBackoff.toMillis() * Math.pow(2, retry - 1));
        return Math.round(nominal * (0.5 + 0.5 * ThreadLocalRandom.current().nextDouble()));
    }
}
