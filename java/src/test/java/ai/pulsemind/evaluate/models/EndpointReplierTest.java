package ai.pulsemind.evaluate.models;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.evaluate.ModelSpec;
import ai.pulsemind.remote.EndpointConfig;
import ai.pulsemind.remote.FakeOpenAiEndpoint;
import ai.pulsemind.remote.RetryBudget;
import ai.pulsemind.remote.RetryPolicy;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model under test behind an OpenAI-compatible endpoint, against a real loopback server. */
class EndpointReplierTest {
    static EndpointConfig fast(String url) {
        return EndpointConfig.of(url).withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(500))
                .withRetry(new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(1), RetryBudget.Config.DEFAULT));
    }

    static ModelSpec.Endpoint spec(String url, String extra) {
        return (ModelSpec.Endpoint) ModelSpec.parse("--model", "openai:" + url + ",model=served-7b" + extra);
    }

    static List<Conversation> questions(int n) {
        List<Conversation> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(Conversation.EMPTY.plus(Conversation.Speaker.USER, "question " + i));
        return out;
    }

    @Test
    void repliesInOrderWithTheSpecsModelKeyAndDecoding() throws Exception {
        try (FakeOpenAiEndpoint ep = FakeOpenAiEndpoint.start(FakeOpenAiEndpoint.Options.clean(20), r -> "answer to " + FakeOpenAiEndpoint.userText(r));
             EndpointReplier r = EndpointReplier.open(spec(ep.baseUrl(), ",key-env=BENCH_KEY,name=served"), fast(ep.baseUrl()), Map.of("BENCH_KEY", "sk-bench"))) {
            assertEquals("served", r.name());
            List<String> greedy = r.reply(questions(12), Replier.Decoding.greedy(32));
            for (int i = 0; i < 12; i++) assertEquals("answer to question " + i, greedy.get(i));
            assertTrue(ep.maxInFlight() > 1, "a batch is sent at once: " + ep.maxInFlight());
            JsonNode body = ep.requests().getFirst();
            assertEquals("served-7b", body.get("model").asText());
            assertEquals(32, body.get("max_tokens").asInt());
            assertEquals(0.0, body.get("temperature").asDouble());
            assertNull(body.get("seed"), "greedy sends no seed");
            assertTrue(ep.authorizations().stream().allMatch("Bearer sk-bench"::equals), ep.authorizations().toString());
            r.reply(questions(1), new Replier.Decoding(16, 0.7, 0.9, 42));
            JsonNode sampled = ep.requests().getLast();
            assertEquals(0.7, sampled.get("temperature").asDouble(), 1e-12);
            assertEquals(0.9, sampled.get("top_p").asDouble(), 1e-12);
            assertEquals(42, sampled.get("seed").asLong());
        }
    }

    @Test
    void aBatchWithARequestThatKeepsFailingThrowsNamingTheUrl() throws Exception {
        var always500 = new FakeOpenAiEndpoint.Options(1.0, List.of(FakeOpenAiEndpoint.Fault.SERVER_ERROR), 0, 0, 0, 1);
        try (FakeOpenAiEndpoint ep = FakeOpenAiEndpoint.start(always500, r -> "never");
             EndpointReplier r = EndpointReplier.open(spec(ep.baseUrl(), ""), fast(ep.baseUrl()), Map.of())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.reply(questions(2), Replier.Decoding.greedy(8)));
            assertTrue(e.getMessage().contains("HTTP 500 from " + ep.baseUrl() + "/chat/completions"), e.getMessage());
            assertEquals(6, ep.chatRequests(), "each request was tried three times");
            assertEquals(List.of("null", "null"), ep.authorizations().subList(0, 2), "no key variable set: no key sent");
        }
    }

    @Test
    void anUnreachableEndpointFailsAtTheStartNamingFlagAndUrl() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) { port = s.getLocalPort(); }
        String url = "http://127.0.0.1:" + port + "/v1";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EndpointReplier.open(spec(url, ""), fast(url), Map.of()));
        assertTrue(e.getMessage().startsWith("--model openai:" + url) && e.getMessage().contains("unreachable"), e.getMessage());
    }
}
