package ai.pulsemind.remote;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiConsumer;

/**
 * Chat completions from an OpenAI-compatible endpoint. Thread-safe: call {@link #complete} from as many threads as
 * you like (virtual threads are the cheap way); at most {@link EndpointConfig#maxConcurrency()} requests are in
 * flight at once, the rest wait for a slot. A request waiting out its backoff holds no slot.
 *
 * <p>Retries: network errors, timeouts, 429, 408/409/5xx and malformed 2xx bodies are retried per
 * {@link RetryPolicy} while the shared {@link RetryBudget} allows; other 4xx are not. An endpoint that has never
 * answered and refuses the connection is not retried: it is a wrong URL or a server that is not up, and the error
 * says so at once with the URL.
 */
public final class OpenAiClient implements AutoCloseable {
    /** Counters since the client was made. */
    public record Stats(long requests, long attempts, long retries, long budgetDenied, long failures) {}

    private final EndpointConfig config;
    private final String apiKey;
    private final HttpClient http;
    private final ExecutorService httpExecutor;
    private final Semaphore slots;
    private final RetryBudget budget;
    private final AtomicBoolean everAnswered = new AtomicBoolean();
    private final AtomicLong attempts = new AtomicLong(), failures = new AtomicLong();

    private OpenAiClient(EndpointConfig config, String apiKey) {
        this.config = config;
        this.apiKey = apiKey;
        this.httpExecutor = Executors.newVirtualThreadPerTaskExecutor();
        // HTTP/1.1: what vLLM, Ollama and most proxies speak; the client keeps one pooled connection per slot
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(config.connectTimeout())
                .executor(httpExecutor).build();
        this.slots = new Semaphore(config.maxConcurrency(), true);
        this.budget = new RetryBudget(config.retry().budget());
    }

    /** A client for {@code config}, the API key read from the process environment. Sends nothing yet. */
    public static OpenAiClient create(EndpointConfig config) { return create(config, System.getenv()); }

    /** @param env where {@link EndpointConfig#apiKeyEnv()} is looked up */
    public static OpenAiClient create(EndpointConfig config, Map<String, String> env) {
        String key = config.apiKeyEnv() == null ? null : env.get(config.apiKeyEnv());
        return new OpenAiClient(config, key == null || key.isBlank() ? null : key.strip());
    }

    /**
     * A client whose endpoint answered a {@code GET {base}/models} (any HTTP status counts: some servers do not
     * serve the list). Nothing listening, an unknown host or a connect timeout fails here, at once, naming the URL.
     */
    public static OpenAiClient open(EndpointConfig config) throws RemoteException { return open(config, System.getenv()); }

    /** {@link #open(EndpointConfig)} with the API key looked up in {@code env}. */
    public static OpenAiClient open(EndpointConfig config, Map<String, String> env) throws RemoteException {
        OpenAiClient c = create(config, env);
        try {
            c.probe();
            return c;
        } catch (RemoteException e) {
            c.close();
            throw e;
        }
    }

    void probe() throws RemoteException {
        URI url = config.modelsUrl();
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(config.connectTimeout().plus(config.connectTimeout())).GET();
        if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
        try {
            http.send(b.build(), HttpResponse.BodyHandlers.discarding());
            everAnswered.set(true);
        } catch (IOException | UnresolvedAddressException e) {
            RemoteException re = classify(e, url.toString());
            throw new RemoteException(RemoteException.Kind.UNREACHABLE, config.baseUrl().toString(),
                    "endpoint " + config.baseUrl() + " is unreachable: " + re.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteException(RemoteException.Kind.INTERRUPTED, url.toString(), "interrupted", e);
        }
    }

    public EndpointConfig config() { return config; }

    /** The shared retry budget (for reports and tests). */
    public RetryBudget budget() { return budget; }

    public Stats stats() {
        return new Stats(budget.requests(), attempts.get(), budget.retries(), budget.denied(), failures.get());
    }

    /**
     * One chat completion, retried as the policy and budget allow.
     *
     * @throws RemoteException the last attempt's failure (its message names the URL), or {@code BUDGET_EXHAUSTED}
     *                         when a retry was due but the budget was spent
     */
    public ChatResponse complete(ChatRequest request) throws RemoteException {
        budget.onRequest();
        String body;
        try {
            body = OpenAiWire.requestBody(request);
        } catch (java.io.UncheckedIOException e) { // an image that cannot be read: nothing was sent
            throw fail(new RemoteException(RemoteException.Kind.REQUEST, config.chatUrl().toString(),
                    "request to " + config.chatUrl() + " not sent: " + e.getMessage(), e));
        }
        RetryPolicy policy = config.retry();
        for (int attempt = 1; ; attempt++) {
            RemoteException failure;
            try {
                return once(body).withAttempts(attempt);
            } catch (RemoteException e) {
                failure = e;
            }
            boolean neverUp = failure.kind() == RemoteException.Kind.UNREACHABLE && !everAnswered.get();
            if (!failure.retryable() || attempt >= policy.maxAttempts() || neverUp) throw fail(failure);
            if (!budget.tryRetry()) throw fail(failure.budgetExhausted());
            sleep(policy.delayMillis(attempt, failure), failure);
        }
    }

    /**
     * The outcome of one request of a batch: the response, or why there was none.
     *
     * @param response null when failed
     * @param error    null when answered
     */
    public record Answered(ChatResponse response, RemoteException error) {
        public Answered {
            if ((response == null) == (error == null)) throw new IllegalArgumentException("a response or an error, not both or neither");
        }

        public boolean ok() { return response != null; }
    }

    /**
     * Sends every request at once, each on its own virtual thread (the client's slots bound what is in flight), and
     * gives each outcome to {@code each} by its index as soon as it is known, from the thread that got it; returns
     * when all are given. Never throws for one request's sake.
     */
    public void completeAll(List<ChatRequest> requests, BiConsumer<Integer, Answered> each) {
        try (ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < requests.size(); i++) {
                int idx = i;
                exec.submit(() -> {
                    Answered a;
                    try {
                        a = new Answered(complete(requests.get(idx)), null);
                    } catch (RemoteException e) {
                        a = new Answered(null, e);
                    } catch (RuntimeException e) {
                        a = new Answered(null, fail(new RemoteException(RemoteException.Kind.REQUEST, config.chatUrl().toString(),
                                "request to " + config.chatUrl() + " failed: " + e, e)));
                    }
                    each.accept(idx, a);
                });
            }
        }
    }

    /** {@link #completeAll(List, BiConsumer)}, the outcomes in request order. */
    public List<Answered> completeAll(List<ChatRequest> requests) {
        AtomicReferenceArray<Answered> out = new AtomicReferenceArray<>(requests.size());
        completeAll(requests, out::set);
        List<Answered> list = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) list.add(out.get(i));
        return list;
    }

    private RemoteException fail(RemoteException e) {
        failures.incrementAndGet();
        return e;
    }

    private ChatResponse once(String body) throws RemoteException {
        URI url = config.chatUrl();
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(config.requestTimeout())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteException(RemoteException.Kind.INTERRUPTED, url.toString(), "interrupted", e);
        }
        HttpResponse<String> resp;
        try {
            attempts.incrementAndGet();
            resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | UnresolvedAddressException e) {
            throw classify(e, url.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteException(RemoteException.Kind.INTERRUPTED, url.toString(), "interrupted", e);
        } finally {
            slots.release();
        }
        everAnswered.set(true);
        int status = resp.statusCode();
        if (status >= 200 && status < 300) return OpenAiWire.parse(resp.body(), url.toString());
        long retryAfter = retryAfterMillis(resp.headers().firstValue("retry-after-ms"), resp.headers().firstValue("retry-after"));
        RemoteException.Kind kind = status == 429 ? RemoteException.Kind.RATE_LIMITED
                : status >= 500 || status == 408 || status == 409 ? RemoteException.Kind.SERVER : RemoteException.Kind.CLIENT;
        String hint = status == 401 || status == 403 ? " (API key from $" + config.apiKeyEnv() + (apiKey == null ? ", which is not set)" : ")") : "";
        throw new RemoteException(kind, url.toString(), status, retryAfter,
                "HTTP " + status + " from " + url + hint + ": " + OpenAiWire.excerpt(resp.body()), null);
    }

    private RemoteException classify(Throwable e, String url) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof HttpConnectTimeoutException || e instanceof ConnectException || e instanceof UnresolvedAddressException
                || e.getCause() instanceof UnresolvedAddressException || e.getCause() instanceof ConnectException)
            return new RemoteException(RemoteException.Kind.UNREACHABLE, url, "cannot connect to " + url + ": " + why, e);
        if (e instanceof HttpTimeoutException)
            return new RemoteException(RemoteException.Kind.TIMEOUT, url, "no answer from " + url + " within " + config.requestTimeout().toMillis() + " ms", e);
        return new RemoteException(RemoteException.Kind.NETWORK, url, "connection to " + url + " failed: " + why, e);
    }

    /** {@code retry-after-ms} (OpenAI's), else {@code Retry-After} as seconds or an HTTP date; -1 when absent or unreadable. */
    static long retryAfterMillis(Optional<String> millis, Optional<String> header) {
        try {
            if (millis.isPresent()) return Math.max(0, Math.round(Double.parseDouble(millis.get().strip())));
        } catch (NumberFormatException ignored) {
            // fall through to Retry-After
        }
        if (header.isEmpty()) return -1;
        String v = header.get().strip();
        try {
            return Math.max(0, Math.round(Double.parseDouble(v) * 1000));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, Duration.between(ZonedDateTime.now(at.getZone()), at).toMillis());
            } catch (DateTimeParseException notDate) {
                return -1;
            }
        }
    }

    private static void sleep(long millis, RemoteException during) throws RemoteException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteException(RemoteException.Kind.INTERRUPTED, during.url(), "interrupted while waiting to retry", e);
        }
    }

    @Override
    public void close() {
        // requests still in flight are abandoned: their callers get an error, and a close never waits on a server
        http.shutdownNow();
        try {
            http.awaitTermination(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        httpExecutor.shutdownNow();
    }
}
