package ai.pulsemind.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A real HTTP server on 127.0.0.1 (JDK {@code com.sun.net.httpserver}, an ephemeral port) that answers
 * {@code POST /v1/chat/completions} like an OpenAI endpoint, with a fixed latency and, at a chosen rate, injected
 * faults: 500s, 429 with Retry-After, hangs past the client's timeout, malformed JSON, connections closed before
 * an answer and bodies cut short. {@code GET /v1/models} answers a model list. Exactly the fault rate of the
 * requests get a fault (request k is faulted when ⌊(k+1)·rate⌋ > ⌊k·rate⌋), its kind drawn from a seeded random.
 * Stops with {@link #close()}.
 */
public final class FakeOpenAiEndpoint implements AutoCloseable {
    public enum Fault { SERVER_ERROR, RATE_LIMIT, HANG, MALFORMED, CLOSED, TRUNCATED }

    /**
     * @param faultRate        share of chat requests that get a fault
     * @param faults           the faults drawn from, uniformly
     * @param latencyMillis    every answer waits this long first
     * @param hangMillis       how long a HANG waits before it gives up on the connection
     * @param retryAfterMillis sent with 429s as {@code retry-after-ms} (and rounded up as {@code Retry-After} seconds)
     * @param seed             of the fault draw
     */
    public record Options(double faultRate, List<Fault> faults, long latencyMillis, long hangMillis, long retryAfterMillis, long seed) {
        public static Options clean(long latencyMillis) { return new Options(0, List.of(), latencyMillis, 0, 0, 1); }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor();
    private final Options options;
    private final Function<JsonNode, String> responder;
    private final Random random;
    private final AtomicLong chat = new AtomicLong(), models = new AtomicLong(), ok = new AtomicLong();
    private final Map<Fault, AtomicLong> injected = new EnumMap<>(Fault.class);
    private final AtomicInteger inFlight = new AtomicInteger(), maxInFlight = new AtomicInteger();
    private final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    private volatile List<Integer> scripted = List.of(); // status codes to answer first, in order (then normal)
    private final AtomicInteger scriptAt = new AtomicInteger();

    private FakeOpenAiEndpoint(Options options, Function<JsonNode, String> responder) throws IOException {
        this.options = options;
        this.responder = responder;
        this.random = new Random(options.seed());
        for (Fault f : Fault.values()) injected.put(f, new AtomicLong());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(exec);
        server.createContext("/v1/chat/completions", this::chat);
        server.createContext("/v1/models", ex -> {
            models.incrementAndGet();
            send(ex, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"fake-judge\",\"object\":\"model\"}]}");
        });
        server.start();
    }

    /** @param responder the model: request body in, message content out */
    public static FakeOpenAiEndpoint start(Options options, Function<JsonNode, String> responder) throws IOException {
        return new FakeOpenAiEndpoint(options, responder);
    }

    public String baseUrl() { return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1"; }

    /** Answers the next requests with these HTTP statuses (429 with Retry-After: 1 s), then as usual. */
    public void script(Integer... statuses) {
        scriptAt.set(0);
        scripted = List.of(statuses);
    }

    public long chatRequests() { return chat.get(); }

    public long modelRequests() { return models.get(); }

    public long answered() { return ok.get(); }

    public long injected(Fault f) { return injected.get(f).get(); }

    public long injectedTotal() { return injected.values().stream().mapToLong(AtomicLong::get).sum(); }

    /** The most chat requests that were being handled at once. */
    public int maxInFlight() { return maxInFlight.get(); }

    /** Every chat request's {@code Authorization} header ("null" when absent), in arrival order. */
    public List<String> authorizations() { synchronized (authorizations) { return List.copyOf(authorizations); } }

    /** Every chat request body received, in arrival order. */
    public List<JsonNode> requests() { synchronized (requests) { return List.copyOf(requests); } }

    private long drawn;

    private Fault draw() {
        synchronized (random) {
            long k = drawn++;
            double r = options.faultRate();
            if (options.faults().isEmpty() || Math.floor((k + 1) * r) <= Math.floor(k * r)) return null;
            return options.faults().get(random.nextInt(options.faults().size()));
        }
    }

    /**
     * A request counts as in flight from its arrival until its answer starts going out: a client that sends its next
     * request as soon as an answer arrives must not be seen above its limit because this side had not yet counted
     * the previous one out.
     */
    private void chat(HttpExchange ex) throws IOException {
        chat.incrementAndGet();
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        boolean[] out = {false};
        Runnable leave = () -> { if (!out[0]) { out[0] = true; inFlight.decrementAndGet(); } };
        try {
            JsonNode body = JSON.readTree(ex.getRequestBody());
            requests.add(body);
            authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            sleep(options.latencyMillis());
            int k = scriptAt.getAndIncrement();
            List<Integer> script = scripted;
            if (k < script.size()) {
                int status = script.get(k);
                if (status == 429) ex.getResponseHeaders().add("Retry-After", "1");
                leave.run();
                send(ex, status, "{\"error\":{\"message\":\"scripted " + status + "\"}}");
                return;
            }
            Fault f = draw();
            if (f != null) { injected.get(f).incrementAndGet(); fault(ex, f); return; } // a fault may hang: still in flight
            String answer = completion(body, responder.apply(body));
            leave.run();
            send(ex, 200, answer);
            ok.incrementAndGet();
        } catch (RuntimeException e) {
            leave.run();
            send(ex, 500, "{\"error\":{\"message\":\"fake endpoint: " + e.getMessage() + "\"}}");
        } finally {
            leave.run();
        }
    }

    private void fault(HttpExchange ex, Fault f) throws IOException {
        switch (f) {
            case SERVER_ERROR -> send(ex, 500, "{\"error\":{\"message\":\"injected server error\"}}");
            case RATE_LIMIT -> {
                ex.getResponseHeaders().add("retry-after-ms", Long.toString(options.retryAfterMillis()));
                ex.getResponseHeaders().add("Retry-After", Long.toString((options.retryAfterMillis() + 999) / 1000));
                send(ex, 429, "{\"error\":{\"message\":\"injected rate limit\"}}");
            }
            case HANG -> { sleep(options.hangMillis()); ex.close(); }
            case MALFORMED -> send(ex, 200, "{\"id\":\"x\",\"choices\":[{\"message\":{\"content\": \"trunc");
            case CLOSED -> ex.close(); // before any header: the client sees the connection end
            case TRUNCATED -> {
                ex.sendResponseHeaders(200, 4000);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write("{\"choices\":[{\"message\"".getBytes(StandardCharsets.UTF_8));
                } catch (IOException expected) {
                    // closing a fixed-length body early is the point
                }
            }
        }
    }

    static String completion(JsonNode request, String content) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", "chatcmpl-fake").put("object", "chat.completion").put("model", request.path("model").asText());
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", content);
        o.putObject("usage").put("prompt_tokens", 10).put("completion_tokens", 5);
        return o.toString();
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    private static void sleep(long ms) {
        if (ms <= 0) return;
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last user message of a request (where judge prompts put the answers). */
    public static String userText(JsonNode request) {
        JsonNode msgs = request.path("messages");
        for (int i = msgs.size() - 1; i >= 0; i--)
            if (msgs.get(i).path("role").asText().equals("user")) return msgs.get(i).path("content").asText();
        return "";
    }

    @Override
    public void close() {
        server.stop(0);
        exec.shutdownNow();
    }
}
