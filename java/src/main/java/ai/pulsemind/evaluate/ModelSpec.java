package ai.pulsemind.evaluate;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A model under test, as the benchmarks' {@code --model} flag names it ({@code eval public}, {@code eval consult}).
 *
 * <pre>
 * SPEC      := LOCAL | ENDPOINT
 * LOCAL     := ["local:"] DIR ("," LOCAL_OPT)*
 * LOCAL_OPT := "adapter=" DIR          a PEFT LoRA adapter (adapter_config.json + adapter_model.safetensors)
 *            | "name=" LABEL           how reports name the model (default: the folder's name)
 * ENDPOINT  := "openai:" BASE_URL ("," END_OPT)*
 * END_OPT   := "model=" ID             the served model's id, sent as "model" (required)
 *            | "key-env=" VAR          environment variable holding the API key (default: OPENAI_API_KEY when set,
 *                                      else no key, as a local vLLM server expects)
 *            | "name=" LABEL           how reports name the model (default: the model id)
 * </pre>
 *
 * Examples: {@code models/Qwen2.5-VL-3B-Instruct}, {@code local:models/qwen3b,adapter=runs/sft/adapter,name=sft},
 * {@code openai:http://127.0.0.1:8000/v1,model=Qwen/Qwen2.5-VL-7B-Instruct}. Options are separated by commas, so a
 * path or URL holding a comma cannot be named here. The API key itself never appears in a SPEC, a config or a log:
 * only the variable's name does.
 *
 * <p>{@link #parse} checks the syntax only; {@link #check} checks what exists on this machine (the folders and the
 * key variable), so a run fails at its start, naming the flag, rather than at its first request.
 */
public sealed interface ModelSpec permits ModelSpec.Local, ModelSpec.Endpoint {
    /** How reports and summaries name the model. */
    String name();

    /** The SPEC in its canonical form (absolute paths, options in a fixed order); {@link #parse} reads it back. */
    String canonical();

    /**
     * Checks that what the SPEC names exists here: the model folder with a {@code config.json}, the adapter's files,
     * the key variable. Throws an {@link IllegalArgumentException} whose message starts with {@code flag}.
     */
    void check(String flag, Function<String, String> env);

    /** A Hugging Face model directory on this machine, with an optional LoRA adapter. */
    record Local(Path dir, Path adapter, String name) implements ModelSpec {
        public Local {
            if (dir == null) throw new IllegalArgumentException("model directory is required");
            dir = dir.toAbsolutePath().normalize();
            adapter = adapter == null ? null : adapter.toAbsolutePath().normalize();
            if (name == null || name.isBlank())
                name = dir.getFileName() + (adapter == null ? "" : "+" + adapter.getFileName());
        }

        @Override
        public String canonical() {
            return "local:" + dir + (adapter == null ? "" : ",adapter=" + adapter) + ",name=" + name;
        }

        @Override
        public void check(String flag, Function<String, String> env) {
            if (!Files.isDirectory(dir)) throw new IllegalArgumentException(flag + " " + dir + ": no such model directory");
            if (!Files.isRegularFile(dir.resolve("config.json")))
                throw new IllegalArgumentException(flag + " " + dir + ": no config.json (expected a Hugging Face model directory)");
            if (adapter != null) {
                for (String f : new String[] {"adapter_config.json", "adapter_model.safetensors"})
                    if (!Files.isRegularFile(adapter.resolve(f)))
                        throw new IllegalArgumentException(flag + " adapter=" + adapter + ": no " + f + " (expected a PEFT LoRA adapter folder)");
            }
        }
    }

    /**
     * An OpenAI-compatible chat-completions endpoint (vLLM, SGLang, Ollama, a hosted API).
     *
     * @param baseUrl   up to and including the API version, e.g. {@code http://127.0.0.1:8000/v1}
     * @param model     the served model's id
     * @param apiKeyEnv the environment variable holding the key, or null for the default rule
     */
    record Endpoint(URI baseUrl, String model, String apiKeyEnv, String name) implements ModelSpec {
        static final String DEFAULT_KEY_ENV = "OPENAI_API_KEY";
        private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

        public Endpoint {
            if (baseUrl == null) throw new IllegalArgumentException("base URL is required");
            String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || baseUrl.getHost() == null)
                throw new IllegalArgumentException("'" + baseUrl + "' is not an http(s) URL with a host, e.g. http://127.0.0.1:8000/v1");
            if (model == null || model.isBlank())
                throw new IllegalArgumentException("an endpoint needs model=ID (the served model's id, e.g. model=Qwen/Qwen2.5-VL-7B-Instruct)");
            if (apiKeyEnv != null && !ENV_NAME.matcher(apiKeyEnv).matches())
                throw new IllegalArgumentException("key-env=" + apiKeyEnv + " is not an environment variable name");
            String s = baseUrl.toString();
            if (s.endsWith("/")) baseUrl = URI.create(s.substring(0, s.length() - 1));
            if (name == null || name.isBlank()) name = model;
        }

        @Override
        public String canonical() {
            return "openai:" + baseUrl + ",model=" + model + (apiKeyEnv == null ? "" : ",key-env=" + apiKeyEnv) + ",name=" + name;
        }

        /** The API key: from {@code key-env} (which must be set), else {@code OPENAI_API_KEY} when set, else none. */
        public Optional<String> apiKey(Function<String, String> env) {
            if (apiKeyEnv != null) return Optional.ofNullable(env.apply(apiKeyEnv)).filter(v -> !v.isEmpty());
            return Optional.ofNullable(env.apply(DEFAULT_KEY_ENV)).filter(v -> !v.isEmpty());
        }

        @Override
        public void check(String flag, Function<String, String> env) {
            if (apiKeyEnv != null && apiKey(env).isEmpty())
                throw new IllegalArgumentException(flag + " key-env=" + apiKeyEnv + ": the environment variable is not set");
        }
    }

    /**
     * Parses a SPEC. Errors are {@link IllegalArgumentException}s that start with {@code flag} and the SPEC, e.g.
     * {@code --model 'openai:http://h/v1': an endpoint needs model=ID …}.
     */
    static ModelSpec parse(String flag, String spec) {
        if (spec == null || spec.isBlank()) throw new IllegalArgumentException(flag + ": empty model SPEC");
        try {
            return spec.startsWith("openai:") ? endpoint(spec.substring("openai:".length()))
                    : local(spec.startsWith("local:") ? spec.substring("local:".length()) : spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " '" + spec + "': " + e.getMessage(), e);
        }
    }

    private static ModelSpec local(String body) {
        String[] parts = body.split(",", -1);
        Map<String, String> opt = options(parts, Set.of("adapter", "name"));
        if (parts[0].isBlank()) throw new IllegalArgumentException("no model directory before the options");
        return new Local(Path.of(parts[0]), opt.containsKey("adapter") ? Path.of(opt.get("adapter")) : null, opt.get("name"));
    }

    private static ModelSpec endpoint(String body) {
        String[] parts = body.split(",", -1);
        Map<String, String> opt = options(parts, Set.of("model", "key-env", "name"));
        URI uri;
        try {
            uri = new URI(parts[0]);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + parts[0] + "' is not a URL: " + e.getReason());
        }
        return new Endpoint(uri, opt.get("model"), opt.get("key-env"), opt.get("name"));
    }

    /** The {@code key=value} options after the first comma-separated field; unknown or repeated keys are errors. */
    private static Map<String, String> options(String[] parts, Set<String> known) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            int eq = p.indexOf('=');
            if (eq <= 0 || eq == p.length() - 1)
                throw new IllegalArgumentException("option '" + p + "' is not key=value (keys: " + String.join(", ", known.stream().sorted().toList()) + ")");
            String k = p.substring(0, eq);
            if (!known.contains(k))
                throw new IllegalArgumentException("unknown option '" + k + "' (keys: " + String.join(", ", known.stream().sorted().toList()) + ")");
            if (out.put(k, p.substring(eq + 1)) != null) throw new IllegalArgumentException("option '" + k + "' is given twice");
        }
        return out;
    }
}
