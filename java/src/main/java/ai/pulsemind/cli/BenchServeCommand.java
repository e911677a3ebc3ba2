package ai.pulsemind.cli;

import ai.pulsemind.model.generate.Engine;
import ai.pulsemind.serve.LoadGenerator;
import ai.pulsemind.serve.Server;
import ai.pulsemind.serve.ServerConfig;
import ai.pulsemind.tensor.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code pulsemind bench serve}: a load test of {@code pulsemind serve} on loopback, bounded in time. It starts the
 * server in this JVM on a random tiny model (or {@code --model}), warms it up, then runs {@link LoadGenerator}
 * twice in the same run: one client at a time (the baseline), then {@code --clients} concurrent streaming clients,
 * each for its own number of seconds. It prints and writes (with {@code --out}) requests, errors, p50/p99 latency
 * and time to first token, tokens/s and the ratio of the two throughputs; it exits 1 if any request failed.
 * Clients and server share the machine's cores, as they would on a single host.
 */
@Command(mixinStandardHelpOptions = true, name = "serve", sortOptions = false,
        description = "Load-test the OpenAI-compatible server on loopback: N concurrent streaming clients vs one at a time.")
public final class BenchServeCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "DIR", description = "Model directory to serve (default: a random tiny model written to a temporary directory).")
    Path model;
    @Option(names = "--clients", paramLabel = "N", defaultValue = "64", description = "Concurrent streaming clients (default: ${DEFAULT-VALUE}).")
    int clients;
    @Option(names = "--seconds", paramLabel = "S", defaultValue = "60", description = "How long the concurrent clients send requests (default: ${DEFAULT-VALUE}).")
    int seconds;
    @Option(names = "--baseline-seconds", paramLabel = "S", defaultValue = "20", description = "How long the single client sends requests (default: ${DEFAULT-VALUE}).")
    int baselineSeconds;
    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "32", description = "max_tokens of every request (default: ${DEFAULT-VALUE}).")
    int maxTokens;
    @Option(names = "--out", paramLabel = "FILE", description = "Also write the report (Markdown) here.")
    Path out;
    @Mixin DeviceOption device = new DeviceOption("cpu");
    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "CPU threads of the backend; 0 uses every core (default: ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws Exception {
        if (clients < 1 || seconds < 1 || baselineSeconds < 1 || maxTokens < 1)
            throw new IllegalArgumentException("--clients, --seconds, --baseline-seconds and --max-tokens must be >= 1");
        Path dir = model;
        Path tmp = null;
        if (dir == null) {
            tmp = Files.createTempDirectory("pulsemind-bench-serve");
            dir = tmp.resolve("tiny");
            RandomCheckpoint.write(dir, BenchGenerateCommand.dims("tiny"), DType.F32);
        }
        String loadStart = loadAverage();
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        ServerConfig cfg = ServerConfig.of(dir).withPort(0).withMaxConcurrency(clients).withMaxQueue(clients).withDevice(device.spec(), threads);
        LoadGenerator.Result base, load;
        Engine.Stats stats;
        try (Server server = Server.start(cfg)) {
            LoadGenerator gen = new LoadGenerator(server.baseUrl(), server.modelName(), null, maxTokens);
            System.err.printf("bench serve: %s on %s, %d slots; warming up (5 s)%n", server.modelName(), server.baseUrl(), clients);
            gen.run(Math.min(clients, 8), Duration.ofSeconds(5));
            System.err.printf("bench serve: one client at a time for %d s%n", baselineSeconds);
            base = gen.run(1, Duration.ofSeconds(baselineSeconds));
            System.err.printf("bench serve: %d concurrent clients for %d s%n", clients, seconds);
            load = gen.run(clients, Duration.ofSeconds(seconds));
            stats = server.model().engine().stats();
        } finally {
            if (tmp != null) deleteTree(tmp);
        }
        String report = report(started, loadStart, loadAverage(), dir, base, load, stats);
        System.out.print(report);
        if (out != null) {
            if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, report);
            System.err.println("bench serve: wrote " + out);
        }
        return base.errors() + load.errors() == 0 ? 0 : 1;
    }

    private String report(Instant started, String loadStart, String loadEnd, Path dir, LoadGenerator.Result base,
                          LoadGenerator.Result load, Engine.Stats stats) {
        double ratio = load.tokensPerSecond() / base.tokensPerSecond();
        StringBuilder b = new StringBuilder();
        b.append("# Server load test, ").append(started).append("\n\n");
        b.append(String.format(Locale.ROOT, "Machine: %s, %d cores (shared with other jobs: load average %s at start, %s at end); JDK %s.%n%n",
                cpu(), Runtime.getRuntime().availableProcessors(), loadStart, loadEnd, Runtime.version()));
        b.append(String.format(Locale.ROOT, "Command: `pulsemind bench serve --clients %d --seconds %d --baseline-seconds %d --max-tokens %d --device %s`; "
                        + "model %s; server and clients in one JVM on loopback (Jetty, JDK HTTP client), streaming with "
                        + "`stream_options.include_usage`, temperature 1, a seed per request; %d engine slots, queue %d.%n%n",
                clients, seconds, baselineSeconds, maxTokens, device.spec(), model == null ? "a random tiny decoder (bench load --create --shape tiny, f32)" : dir,
                clients, clients));
        b.append("| phase | clients | requests | errors | completion tokens | tokens/s | requests/s | p50 latency s | p99 latency s | p50 first token s | p99 first token s |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        row(b, "one at a time", base);
        row(b, "concurrent", load);
        b.append(String.format(Locale.ROOT, "%nThroughput, concurrent / one at a time: **%.2f×** (target ≥ 4×: %s). Engine: peak batch %d, %d decode steps, %d cancelled.%n",
                ratio, ratio >= 4 ? "met" : "**not met**", stats.peakBatch(), stats.decodeSteps(), stats.cancelled()));
        if (base.errorSample() != null || load.errorSample() != null)
            b.append("\nFirst error: ").append(load.errorSample() != null ? load.errorSample() : base.errorSample()).append('\n');
        return b.toString();
    }

    private static void row(StringBuilder b, String phase, LoadGenerator.Result r) {
        b.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %.1f | %.2f | %.3f | %.3f | %.3f | %.3f |%n", phase, r.clients(), r.requests(),
                r.errors(), r.tokens(), r.tokensPerSecond(), r.requestsPerSecond(), r.latency(0.5), r.latency(0.99), r.firstToken(0.5), r.firstToken(0.99)));
    }

    private static String cpu() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
        } catch (IOException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
