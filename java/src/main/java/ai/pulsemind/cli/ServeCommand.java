package ai.pulsemind.cli;

import ai.pulsemind.serve.Server;
import ai.pulsemind.serve.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code pulsemind serve}: an OpenAI-compatible HTTP server over a model directory ({@link Server}). It runs until
 * SIGINT or SIGTERM, then drains: requests in flight finish, new ones get 503.
 */
@Command(mixinStandardHelpOptions = true, name = "serve", sortOptions = false,
        description = "Serve a model over the OpenAI chat API: POST /v1/chat/completions (streaming too), GET /v1/models, /health, /metrics.")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory (Hugging Face layout).")
    Path model;
    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT LoRA adapter directory to apply (train sft/crpo output).")
    Path adapter;
    @Option(names = "--host", paramLabel = "ADDR", defaultValue = ServerConfig.DEFAULT_HOST,
            description = "Address to bind; anything but loopback exposes the model to the network (default: ${DEFAULT-VALUE}).")
    String host;
    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + ServerConfig.DEFAULT_PORT,
            description = "TCP port; 0 picks a free one and prints it (default: ${DEFAULT-VALUE}).")
    int port;
    @Option(names = "--api-key-env", paramLabel = "VAR",
            description = "Require 'Authorization: Bearer KEY' on /v1 and /metrics, KEY read from this environment variable.")
    String apiKeyEnv;
    @Option(names = "--max-concurrency", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_CONCURRENCY,
            description = "Sequences decoded together (engine slots; a request with n choices takes n) (default: ${DEFAULT-VALUE}).")
    int maxConcurrency;
    @Option(names = "--max-queue", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_QUEUE,
            description = "Sequences that may wait for a slot; beyond that a request gets 429 (default: ${DEFAULT-VALUE}).")
    int maxQueue;
    @Option(names = "--max-request-bytes", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_REQUEST_BYTES,
            description = "Largest request body accepted; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    long maxRequestBytes;
    @Option(names = "--image-dir", paramLabel = "DIR",
            description = "Let image parts name files (paths or file: URLs) inside DIR; without it only data: URLs are read.")
    Path imageDir;
    @Option(names = "--model-name", paramLabel = "NAME", description = "The id clients send as 'model' (default: the model directory's name).")
    String modelName;
    @Option(names = "--drain-seconds", paramLabel = "S", defaultValue = "30",
            description = "On shutdown, how long requests in flight may run before they are cancelled (default: ${DEFAULT-VALUE}).")
    long drainSeconds;
    @Mixin DeviceOption device = new DeviceOption();
    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "CPU threads; 0 uses every core (default: ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws Exception {
        GenerateCommand.checkModelDir(model);
        if (adapter != null && !Files.isDirectory(adapter)) throw new IllegalArgumentException("--adapter: " + adapter + " is not a directory");
        if (imageDir != null && !Files.isDirectory(imageDir)) throw new IllegalArgumentException("--image-dir: " + imageDir + " is not a directory");
        if (drainSeconds < 0) throw new IllegalArgumentException("--drain-seconds must be >= 0, got " + drainSeconds);
        String key = null;
        if (apiKeyEnv != null) {
            key = System.getenv(apiKeyEnv);
            if (key == null || key.isEmpty())
                throw new IllegalArgumentException("--api-key-env: the environment variable " + apiKeyEnv + " is not set or empty");
        }
        ServerConfig cfg = ServerConfig.of(model).withAdapter(adapter).withModelName(modelName).withHost(host).withPort(port)
                .withApiKey(key).withMaxConcurrency(maxConcurrency).withMaxQueue(maxQueue).withMaxRequestBytes(maxRequestBytes)
                .withLocalImageDir(imageDir).withDevice(device.spec(), threads).withDrainTimeout(Duration.ofSeconds(drainSeconds));
        if (key == null && !loopback(host))
            System.err.println("serve: warning: listening on " + host + " without an API key (--api-key-env): anyone who can reach it can use the model");
        Server server = Server.start(cfg);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("serve: shutting down: finishing " + server.active() + " request(s) in flight");
            server.close();
        }, "serve-shutdown"));
        System.err.println("serve: " + server.modelName() + " at " + server.baseUrl() + " (" + maxConcurrency + " slots, queue "
                + maxQueue + (key != null ? ", API key required" : "") + "); Ctrl-C stops");
        server.await();
        return 0;
    }

    private static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
