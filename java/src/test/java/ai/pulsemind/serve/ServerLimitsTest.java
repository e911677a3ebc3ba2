package ai.pulsemind.serve;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;

import static ai.pulsemind.serve.ServeFixture.metric;
import static ai.pulsemind.serve.ServeFixture.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's bounds, on a random tiny model whose greedy replies run to max_tokens: a full server answers 429,
 * a client that goes away mid-stream gives its slot back at once, shutdown lets a stream in flight finish while it
 * refuses new requests, and a short concurrent streaming load has no errors.
 */
class ServerLimitsTest {
    @TempDir static Path tmp;
    private static Path tiny;

    @BeforeAll
    static void model() { tiny = ServeFixture.randomTiny(tmp); }

    private static ServerConfig config() { return ServerConfig.of(tiny).withPort(0).withDevice("cpu", 2); }

    private static ChatCompletionCreateParams.Builder greedy(long maxTokens) {
        return ChatCompletionCreateParams.builder().model("tiny").addUserMessage("My head hurts.").temperature(0.0).maxCompletionTokens(maxTokens);
    }

    @Test
    void aFullServerAnswers429AndADisconnectedStreamFreesItsSlot() throws Exception {
        try (Server s = Server.start(config().withMaxConcurrency(1).withMaxQueue(0))) {
            OpenAIClient client = ServeFixture.client(s, null);
            StreamResponse<ChatCompletionChunk> a = client.chat().completions().createStreaming(greedy(4000).build());
            Iterator<ChatCompletionChunk> it = a.stream().iterator();
            it.next(); // the role chunk: the stream holds the only slot now
            it.next();
            RateLimitException busy = assertThrows(RateLimitException.class, () -> client.chat().completions().create(greedy(4).build()));
            assertEquals("rate_limit_exceeded", busy.code().orElseThrow());

            a.close(); // the client goes away 4000 tokens early
            long t0 = System.nanoTime();
            ChatCompletion b = null;
            while (b == null && System.nanoTime() - t0 < 30e9) {
                try {
                    b = client.chat().completions().create(greedy(4).build());
                } catch (RateLimitException e) {
                    Thread.sleep(10);
                }
            }
            assertNotNull(b, "the slot never came back");
            assertEquals(4, b.usage().orElseThrow().completionTokens());
            String m = raw(s, "GET", "/metrics", null, null).body();
            assertEquals(1, metric(m, "pulsemind_client_disconnects_total"), m);
            assertEquals(1, metric(m, "pulsemind_engine_cancelled_total"), "the stream was cancelled, not run to its end");
            assertEquals(0, metric(m, "pulsemind_running_sequences"));
            assertEquals(0, metric(m, "pulsemind_queue_depth"));
            assertTrue(m.contains("pulsemind_requests_total{endpoint=\"/v1/chat/completions\",code=\"429\"}"), m);
        }
    }

    @Test
    void closeLetsAStreamInFlightFinishAndRefusesNewRequests() throws Exception {
        Server s = Server.start(config().withMaxConcurrency(2));
        OpenAIClient client = ServeFixture.client(s, null);
        int max = 500; // long enough to outlast the check for 503 below, short enough for a quick test
        try (StreamResponse<ChatCompletionChunk> a = client.chat().completions().createStreaming(greedy(max)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            Iterator<ChatCompletionChunk> it = a.stream().iterator();
            it.next();
            Thread closer = Thread.ofPlatform().start(s::close);
            long t0 = System.nanoTime();
            int status = 0;
            while (System.nanoTime() - t0 < 5e9 && (status = raw(s, "GET", "/health", null, null).statusCode()) != 503) Thread.sleep(5);
            assertEquals(503, status, "draining: new requests are refused");
            assertTrue(closer.isAlive(), "close waits for the stream");
            long content = 0, usage = -1;
            String finish = null;
            while (it.hasNext()) {
                ChatCompletionChunk ch = it.next();
                if (ch.usage().isPresent()) usage = ch.usage().get().completionTokens();
                for (ChatCompletionChunk.Choice c : ch.choices()) {
                    content += c.delta().content().map(String::length).orElse(0);
                    if (c.finishReason().isPresent()) finish = c.finishReason().get().asString();
                }
            }
            assertEquals("length", finish);
            assertEquals(max, usage, "the stream ran to its end");
            assertEquals(max, content, "one character per token (a repeated byte)");
            closer.join(30_000);
            assertFalse(closer.isAlive(), "close returns once the stream is done");
        } finally {
            s.close();
        }
    }

    @Test
    void aShortConcurrentStreamingLoadHasNoErrors() throws Exception {
        try (Server s = Server.start(config().withMaxConcurrency(4).withMaxQueue(4))) {
            LoadGenerator.Result r = new LoadGenerator(s.baseUrl(), s.modelName(), null, 8).run(4, Duration.ofMillis(1500));
            assertEquals(0, r.errors(), r.errorSample());
            assertTrue(r.requests() >= 4, "requests: " + r.requests());
            assertEquals(r.requests(), r.latencies().size());
            assertTrue(r.tokens() > 0);
            String m = raw(s, "GET", "/metrics", null, null).body();
            assertEquals(r.requests(), ServeFixture.metricLabelled(m, "pulsemind_requests_total{endpoint=\"/v1/chat/completions\",code=\"200\"}"));
            assertEquals(r.tokens(), metric(m, "pulsemind_completion_tokens_total"));
            assertEquals(r.requests(), metric(m, "pulsemind_request_duration_seconds_count"));
        }
    }

    @Test
    void serveRefusesAKeyVariableThatIsNotSetAndAMissingModel() {
        ServeFixture.Run r = ServeFixture.cli("serve", "--model", tiny.toString(), "--api-key-env", "PULSEMIND_TEST_UNSET_KEY_VAR");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--api-key-env: the environment variable PULSEMIND_TEST_UNSET_KEY_VAR is not set"), r.err());
        r = ServeFixture.cli("serve", "--model", tmp.resolve("absent").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("does not exist"), r.err());
    }

    @Test
    void aPortInUseIsAClearError() {
        try (Server first = Server.start(config())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Server.start(config().withPort(first.port())));
            assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + first.port()), e.getMessage());
        }
    }
}
