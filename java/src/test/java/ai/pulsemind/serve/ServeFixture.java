package ai.pulsemind.serve;

import ai.pulsemind.cli.Main;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Helpers for the server tests: the CLI run in-process, a random tiny model, clients that do not retry. */
final class ServeFixture {
    private ServeFixture() {}

    record Run(int code, String out, String err) {}

    /** Runs {@code pulsemind ARGS} in this JVM, capturing what it prints. */
    static synchronized Run cli(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /**
     * A random-weight tiny model ({@code bench load --create --shape tiny}): its greedy reply repeats one token and
     * never reaches a stop token, so a reply runs exactly to max_tokens (what the slot, drain and load tests need).
     */
    static Path randomTiny(Path dir) {
        Path m = dir.resolve("tiny");
        Run r = cli("bench", "load", "--dir", m.toString(), "--create", "--shape", "tiny", "--dtype", "f32");
        assertEquals(0, r.code(), r.err());
        return m;
    }

    /** The official OpenAI client, without retries (a 429 must reach the test, not be retried away). */
    static OpenAIClient client(Server s, String key) {
        return OpenAIOkHttpClient.builder().baseUrl(s.baseUrl()).apiKey(key == null ? "none" : key).maxRetries(0)
                .timeout(Duration.ofSeconds(60)).build();
    }

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** A raw request, for what the SDK cannot send (a malformed body) or does not expose (headers, text). */
    static HttpResponse<String> raw(Server s, String method, String path, String body, String key) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).timeout(Duration.ofSeconds(60));
        if (key != null) b.header("Authorization", "Bearer " + key);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of a metric line given with its labels, e.g. {@code name{a="b"}}. */
    static long metricLabelled(String text, String nameAndLabels) {
        for (String line : text.split("\n"))
            if (line.startsWith(nameAndLabels + " ")) return (long) Double.parseDouble(line.substring(nameAndLabels.length() + 1).strip());
        throw new AssertionError("no metric " + nameAndLabels + " in:\n" + text);
    }

    /** The value of an unlabelled metric in {@code /metrics} text. */
    static long metric(String text, String name) {
        for (String line : text.split("\n"))
            if (line.startsWith(name + " ")) return (long) Double.parseDouble(line.substring(name.length() + 1).strip());
        throw new AssertionError("no metric " + name + " in:\n" + text);
    }
}
