package ai.pulsemind.serve;

/**
 * The bound on work the server takes: {@code capacity} sequences (slots plus queue) admitted at once, counted per
 * choice (a request with {@code n = 3} takes 3). A request that does not fit is refused at once (429) instead of
 * waiting unboundedly; one that could never fit ({@code n > capacity}) is a 400 before it gets here.
 */
final class Admission {
    private final int capacity;
    private int admitted;   // sequences submitted and not finished
    private int started;    // of those, the ones that hold a slot (got their first token)

    Admission(int capacity) { this.capacity = capacity; }

    int capacity() { return capacity; }

    /** Takes {@code n} places, or returns false when they are not free. */
    synchronized boolean tryAcquire(int n) {
        if (admitted + n > capacity) return false;
        admitted += n;
        return true;
    }

    /** A sequence got its first token: it is decoding now, no longer queued. */
    synchronized void started() { started++; }

    /** Gives back {@code n} places, {@code startedOfThem} of which had started. */
    synchronized void release(int n, int startedOfThem) {
        admitted -= n;
        started -= startedOfThem;
    }

    /** Sequences admitted that have not produced a token yet: queued for a slot, or being prefilled. */
    synchronized int queued() { return admitted - started; }

    /** Sequences decoding. */
    synchronized int running() { return started; }
}
