package ai.pulsemind.serve;

import ai.pulsemind.config.InvalidSetting;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a {@link Server} runs. Start from {@link #of(Path)} (safe defaults: loopback, no local image files) and
 * change what differs with the {@code with…} methods.
 *
 * @param model           the model directory (Hugging Face layout); ignored by {@link Server#start(ServerConfig,
 *                        ai.pulsemind.model.generate.ChatModel)}, which serves a model already open
 * @param adapter         a PEFT LoRA adapter directory attached before the first request, or null
 * @param modelName       the id clients send as {@code model} and {@code /v1/models} lists; null: the directory's name
 * @param host            the address to bind: 127.0.0.1 unless the operator means to expose it
 * @param port            the TCP port; 0 picks a free one ({@link Server#port()} says which)
 * @param apiKey          when not null, every {@code /v1} and {@code /metrics} request must send
 *                        {@code Authorization: Bearer <apiKey>}
 * @param maxConcurrency  sequences decoded together (the engine's slots); a request with {@code n} choices takes n
 * @param maxQueue        sequences that may wait for a slot beyond those; past that a request gets 429
 * @param maxRequestBytes the largest request body accepted (413 beyond)
 * @param localImageDir   when not null, image parts may name files (paths or file: URLs) inside this directory;
 *                        otherwise only data: URLs are read
 * @param device          backend spec ({@code auto}, {@code cpu}, {@code cuda:N}, …)
 * @param threads         CPU threads for the CPU backends, 0 for all cores
 * @param drainTimeout    how long {@link Server#close()} waits for requests in flight before cancelling them
 */
public record ServerConfig(Path model, Path adapter, String modelName, String host, int port, String apiKey,
                           int maxConcurrency, int maxQueue, long maxRequestBytes, Path localImageDir, String device,
                           int threads, Duration drainTimeout) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8000;
    public static final int DEFAULT_MAX_CONCURRENCY = 8;
    public static final int DEFAULT_MAX_QUEUE = 64;
    /** Large enough for a few camera images as data URLs, small enough that a stray upload is refused. */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 16L << 20;
    /** A body is read into memory whole: 1 GiB at most. */
    public static final long MAX_REQUEST_BYTES_LIMIT = 1L << 30;

    public ServerConfig {
        InvalidSetting.require(host != null && !host.isBlank(), "host", "must not be empty");
        InvalidSetting.require(port >= 0 && port <= 65535, "port", "must be in [0, 65535], got " + port);
        InvalidSetting.require(apiKey == null || !apiKey.isEmpty(), "apiKey", "must not be empty (null for none)");
        InvalidSetting.atLeast("maxConcurrency", maxConcurrency, 1);
        InvalidSetting.atLeast("maxQueue", maxQueue, 0);
        InvalidSetting.require(maxRequestBytes >= 1024 && maxRequestBytes <= MAX_REQUEST_BYTES_LIMIT, "maxRequestBytes",
                "must be in [1024, " + MAX_REQUEST_BYTES_LIMIT + "], got " + maxRequestBytes);
        InvalidSetting.atLeast("threads", threads, 0);
        InvalidSetting.require(drainTimeout != null && !drainTimeout.isNegative(), "drainTimeout", "must be >= 0");
        if (device == null) device = "auto";
    }

    /** Serves {@code model} on 127.0.0.1:8000 with the defaults above, no key, no local image files. */
    public static ServerConfig of(Path model) {
        return new ServerConfig(model, null, null, DEFAULT_HOST, DEFAULT_PORT, null, DEFAULT_MAX_CONCURRENCY,
                DEFAULT_MAX_QUEUE, DEFAULT_MAX_REQUEST_BYTES, null, "auto", 0, Duration.ofSeconds(30));
    }

    /** The id the model is served under. */
    public String servedName() {
        if (modelName != null) return modelName;
        Path name = model == null ? null : model.toAbsolutePath().normalize().getFileName();
        return name == null ? "pulsemind" : name.toString();
    }

    public ServerConfig withAdapter(Path a) { return new ServerConfig(model, a, modelName, host, port, apiKey, maxConcurrency, maxQueue, maxRequestBytes, localImageDir, device, threads, drainTimeout); }
    public ServerConfig withModelName(String n) { return new ServerConfig(model, adapter, n, host, port, apiKey, maxConcurrency, maxQueue, maxRequestBytes, localImageDir, device, threads, drainTimeout); }
    public ServerConfig withHost(String h) { return new ServerConfig(model, adapter, modelName, h, port, apiKey, maxConcurrency, maxQueue, maxRequestBytes, localImageDir, device, threads, drainTimeout); }
    public ServerConfig withPort(int p) { return new ServerConfig(model, adapter, modelName, host, p, apiKey, maxConcurrency, maxQueue, maxRequestBytes, localImageDir, device, threads, drainTimeout); }
    public ServerConfig withApiKey(String k) { return new ServerConfig(model, adapter, modelName, host, port, k, maxConcurrency, maxQueue, maxRequestBytes, localImageDir, device, threads, drainTimeout); }
    public ServerConfig withMaxConcurrency(int c) { return new ServerConfig(model, adapter, modelName, host, port, apiKey, c, maxQueue, maxRequestBytes, localImageDir, device, threads, drainTimeout); }
    public ServerConfig withMaxQueue(int q) { return new ServerConfig(model, adapter, modelName, host, port, apiKey, maxConcurrency, q, maxRequestBytes, localImageDir, device, threads, drainTimeout); }
    public ServerConfig withMaxRequestBytes(long b) { return new ServerConfig(model, adapter, modelName, host, port, apiKey, maxConcurrency, maxQueue, b, localImageDir, device, threads, drainTimeout); }
    public ServerConfig withLocalImageDir(Path d) { return new ServerConfig(model, adapter, modelName, host, port, apiKey, maxConcurrency, maxQueue, maxRequestBytes, d, device, threads, drainTimeout); }
    public ServerConfig withDevice(String d, int t) { return new ServerConfig(model, adapter, modelName, host, port, apiKey, maxConcurrency, maxQueue, maxRequestBytes, localImageDir, d, t, drainTimeout); }
    public ServerConfig withDrainTimeout(Duration d) { return new ServerConfig(model, adapter, modelName, host, port, apiKey, maxConcurrency, maxQueue, maxRequestBytes, localImageDir, device, threads, d); }
}
