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
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Judges from their specs, the {@code --judge SPEC} of every command:
 * <pre>
 * SPEC     := "rubric" | OPENAI | LOCAL | JURY
 * OPENAI   := "openai:" BASE_URL ["#" MODEL] ("," OPT)*
 * OPT      := "model=" ID          the served model (else #MODEL, else JudgeOptions.model, i.e. --judge-model)
 *           | "key-env=" VAR       the environment variable with the API key (else JudgeOptions.apiKeyEnv); when
 *                                  named here it must be set
 * LOCAL    := "local:" MODEL_DIR   our engine with a Hugging Face model directory, greedy
 * JURY     := "jury:" SPEC ("," SPEC)+   majority per dimension; a member's ",key=value" options stay with it
 * </pre>
 * Examples: {@code rubric}, {@code openai:http://127.0.0.1:8000/v1} with {@code --judge-model qwen2.5-72b},
 * {@code openai:http://127.0.0.1:8000/v1,model=qwen2.5-72b,key-env=VLLM_KEY} (the grammar of the benchmarks'
 * {@code --model openai:…}), {@code jury:rubric,openai:http://h1/v1,model=a,openai:http://h2/v1,model=b}.
 * An endpoint must answer when its judge is opened: an unreachable one fails at once, naming the URL.
 */
public final class JudgeSpecs {
    private JudgeSpecs() {}

    /** A {@link Judging} for the spec (a jury for {@code jury:}); it owns the judges and the cache. */
    public static Judging open(String spec, JudgeOptions o, Judging.Config config, VerdictCache cache) {
        String s = spec.strip();
        if (!s.startsWith("jury:")) return Judging.of(single(s, o), config, cache);
        List<Judge> members = new ArrayList<>();
        try {
            for (String m : members(s.substring("jury:".length()))) {
                if (m.startsWith("jury:")) throw new IllegalArgumentException("--judge " + spec + ": a jury cannot have a jury as a member");
                members.add(single(m, o));
            }
            if (members.size() < 2) throw new IllegalArgumentException("--judge " + spec + ": a jury needs at least two members, e.g. jury:rubric,openai:URL");
        } catch (RuntimeException e) {
            for (Judge j : members) j.close();
            throw e;
        }
        return Judging.jury(members, config, cache);
    }

    /** The members of a jury's list: comma-separated specs, where a {@code key=value} item belongs to the spec before it. */
    static List<String> members(String list) {
        List<String> out = new ArrayList<>();
        for (String item : list.split(",")) {
            String t = item.strip();
            if (t.isEmpty()) continue;
            if (OPTION.matcher(t).matches() && !out.isEmpty()) out.set(out.size() - 1, out.getLast() + "," + t);
            else out.add(t);
        }
        return out;
    }

    private static final Pattern OPTION = Pattern.compile("[a-z][a-z-]*=.*");

    /** One judge (not a jury). */
    public static Judge single(String spec, JudgeOptions o) {
        if (spec.equals("rubric")) return new RubricJudge();
        if (spec.startsWith("openai:")) return openai(spec, o, System.getenv());
        if (spec.startsWith("local:")) {
            Path dir = Path.of(spec.substring("local:".length()));
            if (!Files.isDirectory(dir)) throw new IllegalArgumentException("--judge " + spec + ": no model directory " + dir);
            return LocalJudge.create(EngineTextGenerator.open(dir, o.device(), o.threads(), o.batchSize()), o.maxTokens(), prompts(o));
        }
        throw new IllegalArgumentException("--judge '" + spec + "': expected rubric, openai:BASE_URL, local:MODEL_DIR or jury:SPEC,SPEC,…");
    }

    /**
     * What an {@code openai:} spec names, before anything is sent.
     *
     * @param url       the base URL, e.g. {@code http://127.0.0.1:8000/v1}
     * @param model     the served model
     * @param apiKeyEnv the variable with the key
     */
    record Endpoint(String url, String model, String apiKeyEnv) {}

    static Endpoint endpoint(String spec, JudgeOptions o, Map<String, String> env) {
        String[] parts = spec.substring("openai:".length()).split(",", -1);
        String url = parts[0].strip(), model = o.model(), keyEnv = o.apiKeyEnv();
        int hash = url.indexOf('#');
        if (hash >= 0) {
            model = url.substring(hash + 1);
            url = url.substring(0, hash);
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            int eq = p.indexOf('=');
            String k = eq < 0 ? p : p.substring(0, eq), v = eq < 0 ? "" : p.substring(eq + 1).strip();
            if (v.isEmpty() || !(k.equals("model") || k.equals("key-env")))
                throw new IllegalArgumentException("--judge " + spec + ": option '" + p + "' is not model=ID or key-env=VAR");
            if (k.equals("model")) model = v;
            else {
                if (env.get(v) == null || env.get(v).isBlank())
                    throw new IllegalArgumentException("--judge " + spec + ": key-env=" + v + ": the environment variable is not set");
                keyEnv = v;
            }
        }
        if (url.isEmpty()) throw new IllegalArgumentException("--judge " + spec + ": no base URL, e.g. openai:http://127.0.0.1:8000/v1");
        if (model == null || model.isBlank())
            throw new IllegalArgumentException("--judge " + spec + ": name the served model with --judge-model NAME (or openai:URL,model=NAME)");
        return new Endpoint(url, model, keyEnv);
    }

    private static Judge openai(String spec, JudgeOptions o, Map<String, String> env) {
        Endpoint e = endpoint(spec, o, env);
        RetryPolicy base = RetryPolicy.DEFAULT;
        EndpointConfig ec;
        try {
            ec = EndpointConfig.of(e.url()).withApiKeyEnv(e.apiKeyEnv()).withConcurrency(o.concurrency())
                    .withTimeouts(Duration.ofSeconds(5), o.timeout())
                    .withRetry(new RetryPolicy(o.maxAttempts(), base.initialBackoff(), base.maxBackoff(), base.maxRetryAfter(), base.budget()));
        } catch (IllegalArgumentException bad) {
            throw new IllegalArgumentException("--judge " + spec + ": " + bad.getMessage(), bad);
        }
        OpenAiClient client;
        try {
            client = OpenAiClient.open(ec);
        } catch (RemoteException unreachable) {
            throw new IllegalArgumentException("--judge " + spec + ": " + unreachable.getMessage(), unreachable);
        }
        return OpenAiJudge.create(client, new OpenAiJudge.Config(e.model(), o.temperature(), o.maxTokens(), null), prompts(o));
    }

    private static Prompts prompts(JudgeOptions o) { return Prompts.of(o.pairwisePrompt(), o.absolutePrompt()); }
}
