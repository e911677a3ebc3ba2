package ai.pulsemind.evaluate.consult;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.evaluate.ModelSpec;
import ai.pulsemind.evaluate.models.EndpointReplier;
import ai.pulsemind.evaluate.models.Replier;
import ai.pulsemind.remote.EndpointConfig;
import ai.pulsemind.remote.FakeOpenAiEndpoint;
import ai.pulsemind.remote.RetryBudget;
import ai.pulsemind.remote.RetryPolicy;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

/** Shared pieces of the consultation benchmark's tests: the shipped synthetic sample, fast endpoint models. */
final class ConsultFixtures {
    private ConsultFixtures() {}

    static Path mini() { return ai.pulsemind.judge.SynthSet.mini(); }

    /** A copy of the shipped sample (tests that damage it). */
    static Path copyOfMini(Path to) throws IOException {
        Path from = mini();
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q);
            }
        }
        return to;
    }

    /** A model behind {@code ep}, with short timeouts and quick retries (3 attempts). */
    static Replier endpointModel(FakeOpenAiEndpoint ep, String name) {
        ModelSpec.Endpoint spec = (ModelSpec.Endpoint) ModelSpec.parse("--model", "openai:" + ep.baseUrl() + ",model=served,name=" + name);
        EndpointConfig cfg = EndpointConfig.of(ep.baseUrl()).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2))
                .withRetry(new RetryPolicy(3, Duration.ofMillis(2), Duration.ofMillis(10), Duration.ofSeconds(1), RetryBudget.Config.DEFAULT));
        return EndpointReplier.open(spec, cfg, Map.of());
    }

    /** The messages of a chat request, as "role: text" lines. */
    static String transcript(JsonNode request) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode m : request.get("messages")) {
            JsonNode c = m.get("content");
            String text;
            if (c.isTextual()) text = c.asText();
            else {
                StringBuilder t = new StringBuilder();
                for (JsonNode part : c) if (part.has("text")) t.append(part.get("text").asText());
                text = t.toString();
            }
            sb.append(m.get("role").asText()).append(": ").append(text).append('\n');
        }
        return sb.toString();
    }

    static long assistantTurns(JsonNode request) {
        long n = 0;
        for (JsonNode m : request.get("messages")) if (m.get("role").asText().equals("assistant")) n++;
        return n;
    }

    static Conversation unused() { return Conversation.EMPTY; }
}
