package ai.pulsemind.remote;

import ai.pulsemind.data.Conversation;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP client against a real loopback server that answers like an OpenAI endpoint. */
class OpenAiClientTest {
    static final Conversation HI = Conversation.EMPTY.plus(Conversation.Speaker.USER, "hello");

    static EndpointConfig config(String url, int attempts, RetryBudget.Config budget) {
        return EndpointConfig.of(url).withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(400))
                .withRetry(new RetryPolicy(attempts, Duration.ofMillis(5), Duration.ofMillis(40), Duration.ofSeconds(3), budget));
    }

    @Test
    void sendsAnOpenAiRequestAndReadsTheAnswer() throws Exception {
        try (FakeOpenAiEndpoint ep = FakeOpenAiEndpoint.start(FakeOpenAiEndpoint.Options.clean(0), req -> "echo: " + FakeOpenAiEndpoint.userText(req));
             OpenAiClient c = OpenAiClient.create(config(ep.baseUrl(), 3, RetryBudget.Config.DEFAULT), Map.of("OPENAI_API_KEY", "sk-test"))) {
            ChatResponse r = c.complete(new ChatRequest("judge-model", HI.plus(Conversation.Speaker.ASSISTANT, "hi").plus(Conversation.Speaker.USER, "again"), 0.0, 1, 64, 7L));
            assertEquals("echo: again", r.text());
            assertEquals("stop", r.finishReason());
            assertEquals(1, r.attempts());
            JsonNode body = ep.requests().getFirst();
            assertEquals("judge-model", body.get("model").asText());
            assertEquals(64, body.get("max_tokens").asInt());
            assertEquals(7, body.get("seed").asInt());
            assertEquals(0.0, body.get("temperature").asDouble());
            assertTrue(body.get("top_p") == null, "top_p 1 is not sent");
            assertEquals(3, body.get("messages").size());
            assertEquals("assistant", body.get("messages").get(1).get("role").asText());
            assertEquals(List.of("Bearer sk-test"), ep.authorizations(), "the key from $OPENAI_API_KEY");
        }
        try (FakeOpenAiEndpoint ep = FakeOpenAiEndpoint.start(FakeOpenAiEndpoint.Options.clean(0), req -> "ok");
             OpenAiClient c = OpenAiClient.create(config(ep.baseUrl(), 3, RetryBudget.Config.DEFAULT).withApiKeyEnv("MY_KEY"), Map.of("OPENAI_API_KEY", "sk-other"))) {
            c.complete(ChatRequest.greedy("m", HI, 8));
            assertEquals(List.of("null"), ep.authorizations(), "an unset key variable sends no key");
        }
    }

    @Test
    void retries500sAndHonoursRetryAfter() throws Exception {
        try (FakeOpenAiEndpoint ep = FakeOpenAiEndpoint.start(FakeOpenAiEndpoint.Options.clean(0), req -> "ok");
             OpenAiClient c = OpenAiClient.create(config(ep.baseUrl(), 4, RetryBudget.Config.DEFAULT), Map.of())) {
            ep.script(500, 503);
            assertEquals(3, c.complete(ChatRequest.greedy("m", HI, 8)).attempts());
            ep.script(429);
            long t0 = System.nanoTime();
            ChatResponse r = c.complete(ChatRequest.greedy("m", HI, 8));
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(2, r.attempts());
            // Retry-After: 1 replaces the 5 ms backoff: the retry came no sooner than the server asked
            assertTrue(waited >= 950, "retried after " + waited + " ms, the server asked for 1 s");
        }
    }

    @Test
    void clientErrorsAreNotRetried() throws Exception {
        try (FakeOpenAiEndpoint ep = FakeOpenAiEndpoint.start(FakeOpenAiEndpoint.Options.clean(0), req -> "ok");
             OpenAiClient c = OpenAiClient.create(config(ep.baseUrl(), 5, RetryBudget.Config.DEFAULT), Map.of())) {
            ep.script(400);
            RemoteException e = assertThrows(RemoteException.class, () -> c.complete(ChatRequest.greedy("m", HI, 8)));
            assertEquals(RemoteException.Kind.CLIENT, e.kind());
            assertEquals(400, e.status());
            assertTrue(e.getMessage().contains(ep.baseUrl()) && e.getMessage().contains("scripted 400"), e.getMessage());
            assertEquals(1, ep.chatRequests());
        }
    }

    @Test
    void anUnreachableEndpointFailsAtOnceNamingTheUrl() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) { port = s.getLocalPort(); } // closed again: nothing listens there
        String url = "http://127.0.0.1:" + port + "/v1";
        RemoteException open = assertThrows(RemoteException.class, () -> OpenAiClient.open(config(url, 5, RetryBudget.Config.DEFAULT)));
        assertEquals(RemoteException.Kind.UNREACHABLE, open.kind());
        assertTrue(open.getMessage().contains(url), open.getMessage());
        try (OpenAiClient c = OpenAiClient.create(config(url, 5, RetryBudget.Config.DEFAULT), Map.of())) {
            RemoteException e = assertThrows(RemoteException.class, () -> c.complete(ChatRequest.greedy("m", HI, 8)));
            assertEquals(RemoteException.Kind.UNREACHABLE, e.kind());
            assertTrue(e.getMessage().contains(url + "/chat/completions"), e.getMessage());
            assertEquals(0, c.stats().retries(), "a server that never answered is not retried");
        }
    }

    @Test
    void hangsTimeOutAndTheRetryBudgetHolds() throws Exception {
        var opts = new FakeOpenAiEndpoint.Options(1.0, List.of(FakeOpenAiEndpoint.Fault.SERVER_ERROR), 0, 0, 0, 3);
        RetryBudget.Config budget = new RetryBudget.Config(0.2, 3);
        try (FakeOpenAiEndpoint ep = FakeOpenAiEndpoint.start(opts, req -> "never");
             OpenAiClient c = OpenAiClient.create(config(ep.baseUrl(), 5, budget), Map.of())) {
            int n = 40, budgetErrors = 0;
            for (int i = 0; i < n; i++) {
                RemoteException e = assertThrows(RemoteException.class, () -> c.complete(ChatRequest.greedy("m", HI, 8)));
                if (e.kind() == RemoteException.Kind.BUDGET_EXHAUSTED) budgetErrors++;
            }
            long bound = n + c.budget().bound(n);
            assertTrue(ep.chatRequests() <= bound, ep.chatRequests() + " requests, the budget allows " + bound);
            assertEquals(ep.chatRequests(), c.stats().attempts());
            assertTrue(budgetErrors > 0 && c.stats().budgetDenied() == budgetErrors, "denied " + c.stats());
        }
        var hang = new FakeOpenAiEndpoint.Options(1.0, List.of(FakeOpenAiEndpoint.Fault.HANG), 0, 3000, 0, 3);
        try (FakeOpenAiEndpoint ep = FakeOpenAiEndpoint.start(hang, req -> "never");
             OpenAiClient c = OpenAiClient.create(config(ep.baseUrl(), 2, RetryBudget.Config.DEFAULT), Map.of())) {
            RemoteException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThrows(RemoteException.class, () -> c.complete(ChatRequest.greedy("m", HI, 8))));
            assertEquals(RemoteException.Kind.TIMEOUT, e.kind(), e.getMessage());
            assertEquals(2, ep.chatRequests());
        }
    }

    @Test
    void boundsTheRequestsInFlight() throws Exception {
        try (FakeOpenAiEndpoint ep = FakeOpenAiEndpoint.start(FakeOpenAiEndpoint.Options.clean(60), req -> "ok");
             OpenAiClient c = OpenAiClient.create(config(ep.baseUrl(), 2, RetryBudget.Config.DEFAULT).withConcurrency(4), Map.of());
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<ChatResponse>> fs = new ArrayList<>();
            for (int i = 0; i < 24; i++) fs.add(pool.submit(() -> c.complete(ChatRequest.greedy("m", HI, 8))));
            for (Future<ChatResponse> f : fs) assertEquals("ok", f.get().text());
            assertTrue(ep.maxInFlight() <= 4, "in flight at once: " + ep.maxInFlight());
            assertTrue(ep.maxInFlight() >= 2, "requests did run side by side: " + ep.maxInFlight());
        }
    }

    @Test
    void readsRetryAfterInEveryForm() {
        assertEquals(1500, OpenAiClient.retryAfterMillis(Optional.empty(), Optional.of("1.5")));
        assertEquals(250, OpenAiClient.retryAfterMillis(Optional.of("250"), Optional.of("9")));
        assertEquals(-1, OpenAiClient.retryAfterMillis(Optional.empty(), Optional.empty()));
        assertEquals(-1, OpenAiClient.retryAfterMillis(Optional.empty(), Optional.of("soon")));
        String inTenSeconds = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(10));
        long ms = OpenAiClient.retryAfterMillis(Optional.empty(), Optional.of(inTenSeconds));
        assertTrue(ms > 8000 && ms <= 10000, "HTTP-date Retry-After: " + ms);
    }

    @Test
    void configErrorsNameTheSetting() {
        assertThrows(IllegalArgumentException.class, () -> EndpointConfig.of("ftp://x/v1"));
        assertThrows(IllegalArgumentException.class, () -> EndpointConfig.of("http://h/v1").withConcurrency(0));
        assertEquals("http://h/v1/chat/completions", EndpointConfig.of("http://h/v1/").chatUrl().toString());
    }

}
