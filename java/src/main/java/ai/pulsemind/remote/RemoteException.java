package ai.pulsemind.remote;

/**
 * A request to an endpoint that did not give a usable answer. The message names the URL and, for HTTP errors, the
 * status and the start of the body.
 */
public final class RemoteException extends Exception {
    /** What went wrong; {@link #retryable()} says whether trying again can help. */
    public enum Kind {
        /** Nothing listens at the address, the host is unknown, or connecting timed out. */
        UNREACHABLE(true),
        /** The connection broke or closed before a whole answer came. */
        NETWORK(true),
        /** No answer within the request timeout. */
        TIMEOUT(true),
        /** 429: the endpoint asks us to slow down. */
        RATE_LIMITED(true),
        /** 5xx, 408 or 409. */
        SERVER(true),
        /** A 2xx answer that is not an OpenAI chat completion (broken JSON, no choices, no content). */
        MALFORMED(true),
        /** Any other 4xx: the request itself is wrong (bad model name, missing key); retrying cannot help. */
        CLIENT(false),
        /** The request could not be made (an image file that does not read); nothing was sent. */
        REQUEST(false),
        /** Retryable, but the client's retry budget is spent. */
        BUDGET_EXHAUSTED(false),
        /** The calling thread was interrupted. */
        INTERRUPTED(false);

        private final boolean retryable;

        Kind(boolean retryable) { this.retryable = retryable; }

        public boolean retryable() { return retryable; }
    }

    private final Kind kind;
    private final String url;
    private final int status;
    private final long retryAfterMillis;

    public RemoteException(Kind kind, String url, int status, long retryAfterMillis, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.url = url;
        this.status = status;
        this.retryAfterMillis = retryAfterMillis;
    }

    public RemoteException(Kind kind, String url, String message, Throwable cause) { this(kind, url, 0, -1, message, cause); }

    public Kind kind() { return kind; }

    public boolean retryable() { return kind.retryable(); }

    /** The URL the request went to. */
    public String url() { return url; }

    /** The HTTP status, or 0 when no answer came. */
    public int status() { return status; }

    /** What a {@code Retry-After} header asked for, in milliseconds, or -1 when there was none. */
    public long retryAfterMillis() { return retryAfterMillis; }

    /** The same failure, marked as one that will not be retried because the budget is spent. */
    RemoteException budgetExhausted() {
        return new RemoteException(Kind.BUDGET_EXHAUSTED, url, status, -1, "retry budget spent; last error: " + getMessage(), this);
    }
}
