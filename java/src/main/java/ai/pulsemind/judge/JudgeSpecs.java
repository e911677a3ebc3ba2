package ai.pulsemind.judge;

import ai.pulsemind.judge.llm.Prompts;
import ai.pulsemind.judge.local.EngineTextGenerator;
import ai.pulsemind.judge.local.LocalJudge;
import ai.pulsemind.judge.openai.OpenAiJudge;
import ai.pulsemind.judge.rubric.RubricJudge;
import ai.pulsemind.remote.EndpointConfig;
import ai.pulsemind.remote.OpenAiClient;
import ai.pulsemind.remote.RemoteException;
import ai.pulsemind.remote.RetryPolicy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Judges from their specs, the {@code --judge SPEC} of every command:
 * <ul>
 *   <li>{@code rubric}: the deterministic rubric judge;</li>
 *   <li>{@code openai:BASE_URL[#MODEL]}: an OpenAI-compatible endpoint, e.g. {@code openai:http://127.0.0.1:8000/v1};
 *       the model from {@code #MODEL} or {@link JudgeOptions#model()} ({@code --judge-model}). The endpoint must
 *       answer when the judge is opened: an unreachable one fails at once, naming the URL;</li>
 *   <li>{@code local:MODEL_DIR}: our engine with a Hugging Face model directory, greedy;</li>
 *   <li>{@code jury:SPEC,SPEC,…}: several of the above, majority per dimension.</li>
 * </ul>
 */
public final class JudgeSpecs {
    private JudgeSpecs() {}

    /** A {@link Judging} for the spec (a jury for {@code jury:}); it owns the judges and the cache. */
    public static Judging open(String spec, JudgeOptions o, Judging.Config config, VerdictCache cache) {
        String s = spec.strip();
        if (!s.startsWith("jury:")) return Judging.of(single(s, o), config, cache);
        List<Judge> members = new ArrayList<>();
        try {
            for (String m : s.substring("jury:".length()).split(",")) {
                if (m.isBlank()) continue;
                if (m.strip().startsWith("jury:")) throw new IllegalArgumentException("--judge " + spec + ": a jury cannot have a jury as a member");
                members.add(single(m.strip(), o));
            }
            if (members.size() < 2) throw new IllegalArgumentException("--judge " + spec + ": a jury needs at least two members, e.g. jury:rubric,openai:URL");
        } catch (RuntimeException e) {
            for (Judge j : members) j.close();
            throw e;
        }
        return Judging.jury(members, config, cache);
    }

    /** One judge (not a jury). */
    public static Judge single(String spec, JudgeOptions o) {
        if (spec.equals("rubric")) return new RubricJudge();
        if (spec.startsWith("openai:")) return openai(spec.substring("openai:".length()), o);
        if (spec.startsWith("local:")) {
            Path dir = Path.of(spec.substring("local:".length()));
            if (!Files.isDirectory(dir)) throw new IllegalArgumentException("--judge " + spec + ": no model directory " + dir);
            return LocalJudge.create(EngineTextGenerator.open(dir, o.device(), o.threads(), o.batchSize()), o.maxTokens(), prompts(o));
        }
        throw new IllegalArgumentException("--judge '" + spec + "': expected rubric, openai:BASE_URL, local:MODEL_DIR or jury:SPEC,SPEC,…");
    }

    private static Judge openai(String rest, JudgeOptions o) {
        int hash = rest.indexOf('#');
        String url = hash >= 0 ? rest.substring(0, hash) : rest;
        String model = hash >= 0 ? rest.substring(hash + 1) : o.model();
        if (model == null || model.isBlank())
            throw new IllegalArgumentException("--judge openai:" + rest + ": name the served model with --judge-model NAME (or openai:URL#MODEL)");
        RetryPolicy base = RetryPolicy.DEFAULT;
        EndpointConfig ec = EndpointConfig.of(url).withApiKeyEnv(o.apiKeyEnv()).withConcurrency(o.concurrency())
                .withTimeouts(Duration.ofSeconds(5), o.timeout())
                .withRetry(new RetryPolicy(o.maxAttempts(), base.initialBackoff(), base.maxBackoff(), base.maxRetryAfter(), base.budget()));
        OpenAiClient client;
        try {
            client = OpenAiClient.open(ec);
        } catch (RemoteException e) {
            throw new IllegalArgumentException("--judge openai:" + rest + ": " + e.getMessage(), e);
        }
        return OpenAiJudge.create(client, new OpenAiJudge.Config(model, o.temperature(), o.maxTokens(), null), prompts(o));
    }

    private static Prompts prompts(JudgeOptions o) { return Prompts.of(o.pairwisePrompt(), o.absolutePrompt()); }
}
