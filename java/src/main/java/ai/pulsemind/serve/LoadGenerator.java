package ai.pulsemind.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A closed-loop load of streaming chat completions: {@code clients} virtual threads, each sending one request
 * after another (JDK HTTP client, reading the server-sent events as they come) until {@code duration} has passed;
 * requests in flight then finish, so the run ends by itself within duration plus one request. Each request asks
 * for {@code maxTokens} at temperature 1 with its own seed and {@code stream_options.include_usage}, and counts as
 * an error unless it answers 200 and ends with the usage chunk and {@code [DONE]}.
 *
 * <p>Latency is a request's time from sending to {@code [DONE]}; time to first token is to its first content
 * chunk; tokens/s is the completion tokens the usage chunks report over the run's wall time.
 */
public final class LoadGenerator {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param latencies   seconds, one per successful request, sorted
     * @param firstTokens seconds, one per successful request that streamed content, sorted
     * @param errorSample the first error's description, or null
     */
    public record Result(int clients, long requests, long errors, long tokens, double wallSeconds, List<Double> latencies,
                         List<Double> firstTokens, String errorSample) {
        public double tokensPerSecond() { return tokens / wallSeconds; }

        public double requestsPerSecond() { return requests / wallSeconds; }

        /** The q-quantile (nearest rank) of the latencies, NaN when there are none. */
        public double latency(double q) { return quantile(latencies, q); }

        public double firstToken(double q) { return quantile(firstTokens, q); }

        static double quantile(List<Double> sorted, double q) {
            if (sorted.isEmpty()) return Double.NaN;
            int i = (int) Math.ceil(q * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
        }
    }

    private final String baseUrl, model, apiKey;
    private final int maxTokens;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()).build();

    /** @param baseUrl the server's {@code …/v1}; {@code apiKey} may be null */
    public LoadGenerator(String baseUrl, String model, String apiKey, int maxTokens) {
        this.baseUrl = baseUrl;
        this.model = model;
        this.apiKey = apiKey;
        this.maxTokens = maxTokens;
    }

    public Result run(int clients, Duration duration) throws InterruptedException {
        long t0 = System.nanoTime(), deadline = t0 + duration.toNanos();
        List<Double> lat = Collections.synchronizedList(new ArrayList<>()), ttft = Collections.synchronizedList(new ArrayList<>());
        AtomicLong requests = new AtomicLong(), errors = new AtomicLong(), tokens = new AtomicLong(), seeds = new AtomicLong();
        String[] firstError = new String[1];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads.add(Thread.ofVirtual().name("load-client-" + c).start(() -> {
                while (System.nanoTime() < deadline) {
                    long seed = seeds.incrementAndGet();
                    try {
                        long[] got = one(client, seed); // {completion tokens, nanos to first content}
                        long end = System.nanoTime();
                        requests.incrementAndGet();
                        tokens.addAndGet(got[0]);
                        lat.add((end - got[2]) / 1e9);
                        if (got[1] > 0) ttft.add(got[1] / 1e9);
                    } catch (Exception e) {
                        requests.incrementAndGet();
                        errors.incrementAndGet();
                        synchronized (firstError) {
                            if (firstError[0] == null) firstError[0] = e.toString();
                        }
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
        double wall = (System.nanoTime() - t0) / 1e9;
        List<Double> l = new ArrayList<>(lat), f = new ArrayList<>(ttft);
        Collections.sort(l);
        Collections.sort(f);
        return new Result(clients, requests.get(), errors.get(), tokens.get(), wall, l, f, firstError[0]);
    }

    /** One streamed request: {completion tokens, nanos to the first content chunk (0 if none), start nanos}. */
    private long[] one(int client, long seed) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("model", model).put("stream", true).put("temperature", 1.0)
                .put("max_tokens", maxTokens).put("seed", seed);
        body.putObject("stream_options").put("include_usage", true);
        body.putArray("messages").addObject().put("role", "user")
                .put("content", "Client " + client + ", request " + seed + ": a headache for three days, what should I do?");
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(baseUrl + "/chat/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (apiKey != null) rb.header("Authorization", "Bearer " + apiKey);
        long start = System.nanoTime(), first = 0, usage = -1;
        boolean done = false;
        HttpResponse<Stream<String>> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = r.body()) {
            if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode() + ": " + String.join(" ", lines.toList()));
            for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                String line = it.next();
                if (!line.startsWith("data: ")) continue;
                String data = line.substring(6);
                if (data.equals("[DONE]")) {
                    done = true;
                    break;
                }
                JsonNode ev = JSON.readTree(data);
                if (ev.has("error")) throw new IllegalStateException("error event: " + data);
                JsonNode u = ev.get("usage");
                if (u != null && !u.isNull()) usage = u.path("completion_tokens").asLong(-1);
                if (first == 0 && !ev.path("choices").path(0).path("delta").path("content").asText("").isEmpty())
                    first = System.nanoTime() - start;
            }
        }
        if (!done) throw new IllegalStateException("the stream ended without [DONE]");
        if (usage < 0) throw new IllegalStateException("the stream had no usage chunk");
        return new long[] {usage, first, start};
    }
}
