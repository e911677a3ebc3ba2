package ai.pulsemind.bench.judge;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.judge.Answer;
import ai.pulsemind.judge.Dimension;
import ai.pulsemind.judge.JudgeRequest;
import ai.pulsemind.judge.Judging;
import ai.pulsemind.judge.Judgment;
import ai.pulsemind.judge.Reference;
import ai.pulsemind.judge.Verdict;
import ai.pulsemind.judge.VerdictCache;
import ai.pulsemind.judge.llm.Prompts;
import ai.pulsemind.judge.openai.OpenAiJudge;
import ai.pulsemind.remote.EndpointConfig;
import ai.pulsemind.remote.OpenAiClient;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Judge throughput against an OpenAI-compatible endpoint with a fixed latency: {@code pairs} comparisons through
 * {@link Judging} and the endpoint judge with {@code concurrency} requests in flight, against the same comparisons
 * asked one request at a time (our client in a loop, and the paper's released scripts' way: the {@code openai}
 * Python client in a loop, {@code peers/judge_loop_peer.py}, replaying the very request bodies). Every verdict is
 * checked against what the endpoint was scripted to answer before a time is reported.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar ai.pulsemind.bench.judge.JudgeThroughputBench --out FILE
 *      [--pairs 1000] [--latency-ms 200] [--concurrency 64] [--sequential N] [--python PY --peer SCRIPT]
 * </pre>
 * {@code --sequential N} times the loops on the first N pairs (default: all) and scales their time to all pairs;
 * the JSON says which. The endpoint is a JDK {@code HttpServer} on 127.0.0.1 that waits {@code latency} and then
 * answers "the longer answer wins" on every dimension, as a served judge model would after its generation time.
 */
public final class JudgeThroughputBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JudgeThroughputBench() {}

    record Options(int pairs, long latencyMillis, int concurrency, int sequential, Path out, String python, Path peer) {
        static Options parse(String[] args) {
            int pairs = 1000, conc = 64, seq = -1;
            long lat = 200;
            Path out = null, peer = null;
            String py = null;
            for (int i = 0; i < args.length; i++) {
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--pairs" -> { pairs = Integer.parseInt(v); i++; }
                    case "--latency-ms" -> { lat = Long.parseLong(v); i++; }
                    case "--concurrency" -> { conc = Integer.parseInt(v); i++; }
                    case "--sequential" -> { seq = Integer.parseInt(v); i++; }
                    case "--out" -> { out = Path.of(v); i++; }
                    case "--python" -> { py = v; i++; }
                    case "--peer" -> { peer = Path.of(v); i++; }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (out == null) throw new IllegalArgumentException("--out FILE is required");
            if ((py == null) != (peer == null)) throw new IllegalArgumentException("--python and --peer go together");
            return new Options(pairs, lat, conc, seq < 0 ? pairs : Math.min(seq, pairs), out, py, peer);
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        List<JudgeRequest> pairs = pairs(o.pairs());
        ObjectNode result = JSON.createObjectNode();
        result.put("pairs", o.pairs()).put("latency_ms", o.latencyMillis()).put("concurrency", o.concurrency()).put("sequential_pairs", o.sequential());
        try (Endpoint ep = Endpoint.start(o.latencyMillis())) {
            run(pairs, ep, o.concurrency(), true); // warm-up: the JIT state of a long run (CRPO, a benchmark) that judges all day
            ep.bodies.clear();
            double single = run(pairs, ep, o.concurrency(), false);
            List<String> bodies = List.copyOf(ep.bodies);
            double both = run(pairs, ep, o.concurrency(), true);
            double loop = loop(pairs.subList(0, o.sequential()), ep) * o.pairs() / o.sequential();
            ObjectNode s = result.putObject("seconds");
            s.put("concurrent_single_order", single).put("concurrent_both_orders", both).put("java_loop_single_order", loop);
            ObjectNode r = result.putObject("ratios");
            r.put("single_order_vs_java_loop", loop / single).put("both_orders_vs_java_loop_both_orders", 2 * loop / both);
            if (o.python() != null) {
                double py = python(o, ep, bodies.subList(0, o.sequential())) * o.pairs() / o.sequential();
                s.put("python_loop_single_order", py);
                r.put("single_order_vs_python_loop", py / single).put("both_orders_vs_python_loop_single_order", py / both);
            }
            System.out.printf(Locale.ROOT, "judge throughput: %d pairs, %d ms latency, concurrency %d%n%s%n", o.pairs(), o.latencyMillis(),
                    o.concurrency(), result.toPrettyString());
        }
        if (o.out().toAbsolutePath().getParent() != null) Files.createDirectories(o.out().toAbsolutePath().getParent());
        Files.writeString(o.out(), result.toPrettyString() + "\n");
    }

    /** Distinct pairs with answers of different lengths, so the scripted verdict is known for each. */
    static List<JudgeRequest> pairs(int n) {
        List<JudgeRequest> out = new ArrayList<>(n);
        Conversation ctx = Conversation.EMPTY.plus(Conversation.Speaker.USER, "I have had a dry cough for three weeks and some night sweats.");
        for (int i = 0; i < n; i++) {
            String a = "Reply " + i + ": how long exactly, any fever, any weight loss, do you smoke?", b = "Reply " + i + ": get a chest X-ray.";
            out.add(new JudgeRequest("p" + i, ctx, Reference.ofText("Any fever or weight loss? Do you smoke? Please get a chest X-ray."),
                    new Answer.Reply(i % 2 == 0 ? a : b), new Answer.Reply(i % 2 == 0 ? b : a)));
        }
        return out;
    }

    static Judging judging(Endpoint ep, int concurrency, boolean bothOrders) {
        EndpointConfig cfg = EndpointConfig.of(ep.baseUrl()).withConcurrency(concurrency).withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30));
        OpenAiClient client = OpenAiClient.create(cfg, Map.of());
        return Judging.of(OpenAiJudge.create(client, OpenAiJudge.Config.greedy("bench-judge"), Prompts.bundled()),
                bothOrders ? Judging.Config.BOTH_ORDERS : Judging.Config.SINGLE_ORDER, VerdictCache.NONE);
    }

    /** Seconds for all pairs at once, after checking every verdict. */
    static double run(List<JudgeRequest> pairs, Endpoint ep, int concurrency, boolean bothOrders) {
        try (Judging j = judging(ep, concurrency, bothOrders)) {
            long t0 = System.nanoTime();
            List<Judgment> js = j.compare(pairs);
            double s = (System.nanoTime() - t0) / 1e9;
            check(pairs, js);
            return s;
        }
    }

    /** Seconds for the pairs one request at a time, in a loop. */
    static double loop(List<JudgeRequest> pairs, Endpoint ep) {
        try (Judging j = judging(ep, 1, false)) {
            List<Judgment> js = new ArrayList<>(pairs.size());
            long t0 = System.nanoTime();
            for (JudgeRequest p : pairs) js.addAll(j.compare(List.of(p)));
            double s = (System.nanoTime() - t0) / 1e9;
            check(pairs, js);
            return s;
        }
    }

    static void check(List<JudgeRequest> pairs, List<Judgment> js) {
        for (int i = 0; i < pairs.size(); i++) {
            Judgment g = js.get(i);
            if (!g.ok()) throw new IllegalStateException(g.id() + " failed: " + g.error());
            int cmp = Integer.compare(pairs.get(i).a().doctorText().length(), pairs.get(i).b().doctorText().length());
            Verdict want = cmp > 0 ? Verdict.A : Verdict.B;
            for (Dimension d : Dimension.values())
                if (g.verdict(d) != want) throw new IllegalStateException(g.id() + " " + d.key() + ": " + g.verdict(d) + ", the endpoint said " + want);
        }
    }

    /** The peer's seconds for replaying {@code bodies} one at a time, after it checked every answer parsed. */
    static double python(Options o, Endpoint ep, List<String> bodies) throws IOException, InterruptedException {
        Path in = Files.createTempFile("judge-requests", ".jsonl");
        try {
            Files.write(in, bodies); // compact JSON: one request per line
            Process p = new ProcessBuilder(o.python(), o.peer().toString(), "--base-url", ep.baseUrl(), "--requests", in.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2 * bodies.size() * (o.latencyMillis() + 1000) / 1000 + 60, TimeUnit.SECONDS) || p.exitValue() != 0)
                throw new IllegalStateException("the Python peer failed: " + out);
            JsonNode r = JSON.readTree(out);
            if (r.get("parsed").asInt() != bodies.size()) throw new IllegalStateException("the Python peer parsed " + r.get("parsed") + " of " + bodies.size());
            return r.get("seconds").asDouble();
        } finally {
            Files.deleteIfExists(in);
        }
    }

    /**
     * A loopback OpenAI-style endpoint: waits, then answers "the longer answer wins" on all four dimensions. It shares
     * the CPU with the client under test, so it does as little as it can: the answers are read off the raw body with
     * indexOf (the bench's answers need no JSON escapes) and the two possible replies are made once.
     */
    static final class Endpoint implements AutoCloseable {
        final HttpServer server;
        final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
        final long latencyMillis;
        private final byte[] aWins = completion("A"), bWins = completion("B");

        private Endpoint(long latencyMillis) throws IOException {
            this.latencyMillis = latencyMillis;
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/v1/models", ex -> send(ex, "{\"object\":\"list\",\"data\":[{\"id\":\"bench-judge\"}]}".getBytes(StandardCharsets.UTF_8)));
            server.createContext("/v1/chat/completions", this::chat);
            server.start();
        }

        static Endpoint start(long latencyMillis) throws IOException { return new Endpoint(latencyMillis); }

        String baseUrl() { return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1"; }

        private void chat(HttpExchange ex) throws IOException {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            bodies.add(body);
            try {
                Thread.sleep(latencyMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String a = between(body, "## Answer A\\n", "## Answer B"), b = between(body, "## Answer B\\n", "Reply with");
            send(ex, a.length() > b.length() ? aWins : bWins);
        }

        static String between(String s, String from, String to) {
            int i = s.lastIndexOf(from), j = s.indexOf(to, i + 1);
            return i < 0 || j < 0 ? "" : s.substring(i + from.length(), j).strip();
        }

        static byte[] completion(String winner) {
            StringBuilder v = new StringBuilder("```json\n{");
            for (Dimension d : Dimension.values())
                v.append(d.ordinal() == 0 ? "" : ", ").append('"').append(d.key()).append("\": {\"winner\": \"").append(winner).append("\", \"reason\": \"r\"}");
            ObjectNode o = JSON.createObjectNode();
            o.put("id", "chatcmpl-bench").put("object", "chat.completion").put("model", "bench-judge");
            ObjectNode c = o.putArray("choices").addObject();
            c.put("index", 0).put("finish_reason", "stop");
            c.putObject("message").put("role", "assistant").put("content", v.append("}\n```").toString());
            return o.toString().getBytes(StandardCharsets.UTF_8);
        }

        private static void send(HttpExchange ex, byte[] b) throws IOException {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        }

        @Override public void close() { server.stop(0); }
    }
}
