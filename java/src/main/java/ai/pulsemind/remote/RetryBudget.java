package ai.pulsemind.remote;

/**
 * A client-wide cap on retries: retries may be at most {@code minRetries + ratio × requests} (requests counted by
 * their first attempts), the retry budget of Finagle and gRPC. Per-request attempt limits alone let a dead or
 * overloaded endpoint receive (attempts × requests) calls; the budget bounds the extra load to a fraction of the
 * real traffic, so during an outage most requests fail fast instead of waiting out their backoff.
 */
public final class RetryBudget {
    /**
     * @param ratio      retries allowed per request on average (0.5 = half the requests may be retried once)
     * @param minRetries retries allowed regardless of traffic (so a short run still retries)
     */
    public record Config(double ratio, int minRetries) {
        public static final Config DEFAULT = new Config(1.0, 10);

        public Config {
            if (!(ratio >= 0) || Double.isInfinite(ratio)) throw new IllegalArgumentException("retry budget ratio must be >= 0, got " + ratio);
            if (minRetries < 0) throw new IllegalArgumentException("retry budget minimum must be >= 0, got " + minRetries);
        }
    }

    private final Config config;
    private long requests, retries, denied;

    public RetryBudget(Config config) { this.config = config; }

    synchronized void onRequest() { requests++; }

    /** Takes one retry from the budget; false (and counted) when it is spent. */
    synchronized boolean tryRetry() {
        if (retries < config.minRetries() + config.ratio() * requests) {
            retries++;
            return true;
        }
        denied++;
        return false;
    }

    public synchronized long requests() { return requests; }

    public synchronized long retries() { return retries; }

    /** Retries refused because the budget was spent. */
    public synchronized long denied() { return denied; }

    /** The most retries the budget can ever have allowed after {@code requests} requests. */
    public long bound(long requests) { return (long) Math.floor(config.minRetries() + config.ratio() * requests); }
}
