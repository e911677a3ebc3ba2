package ai.pulsemind.serve;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.model.generate.ChatModel;
import ai.pulsemind.train.PeftAdapter;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * A running OpenAI-compatible server (see the package doc for the request path). For a JVM service:
 * <pre>{@code
 * try (Server s = Server.start(ServerConfig.of(modelDir).withPort(0))) {
 *     URI api = URI.create(s.baseUrl());     // http://127.0.0.1:PORT/v1, for any OpenAI client
 *     ...
 * }                                          // close(): finish what is in flight, then stop
 * }</pre>
 * {@link #close()} drains: new requests get 503 at once, requests in flight run to their end (up to
 * {@link ServerConfig#drainTimeout}, after which they are cancelled), then the listener stops and, when the server
 * opened the model, the engine and backend are closed.
 */
public final class Server implements AutoCloseable {
    /** Longer than any pause in a healthy exchange: a queued request or a long non-streamed reply sends nothing for a while. */
    private static final long IDLE_TIMEOUT_MS = 10 * 60_000;

    private final ServerConfig config;
    private final ChatModel model;
    private final Backend ownedBackend; // null when the caller owns the model
    private final Metrics metrics;
    private final ChatCompletions chat;
    private final org.eclipse.jetty.server.Server jetty;
    private final ServerConnector connector;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private int active;
    private boolean draining;

    private Server(ServerConfig config, ChatModel model, Backend ownedBackend) {
        this.config = config;
        this.model = model;
        this.ownedBackend = ownedBackend;
        Admission admission = new Admission(config.maxConcurrency() + config.maxQueue());
        this.metrics = new Metrics(admission, () -> model.engine().stats());
        this.chat = new ChatCompletions(model, config.servedName(), config.localImageDir(), admission, metrics);
        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setName("serve");
        pool.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("serve-request-", 0).factory()));
        this.jetty = new org.eclipse.jetty.server.Server(pool);
        this.connector = new ServerConnector(jetty);
        connector.setHost(config.host());
        connector.setPort(config.port());
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        jetty.addConnector(connector);
        jetty.setHandler(new ApiHandler(this, config, metrics, chat));
        jetty.setErrorHandler(new JsonErrorHandler());
    }

    /**
     * Opens the backend and the model (and attaches the adapter, before any request), then serves. The server
     * owns them: {@link #close()} closes them.
     */
    public static Server start(ServerConfig config) {
        if (config.model() == null) throw new IllegalArgumentException("model: no model directory to serve");
        Backend be = Backends.open(config.device(), config.threads());
        ChatModel m = null;
        try {
            m = ChatModel.open(config.model(), be, config.maxConcurrency());
            if (config.adapter() != null) PeftAdapter.attach(config.adapter(), be, m.model());
            return launch(new Server(config, m, be));
        } catch (RuntimeException e) {
            if (m != null) m.close();
            be.close();
            throw e;
        }
    }

    /**
     * Serves a model the caller opened (and keeps: {@link #close()} leaves it open). Its engine's slots bound the
     * sequences decoded together; {@link ServerConfig#maxConcurrency} plus {@link ServerConfig#maxQueue} bound those
     * admitted. {@link ServerConfig#model}, {@code adapter}, {@code device} and {@code threads} are not used.
     */
    public static Server start(ServerConfig config, ChatModel model) {
        return launch(new Server(config, model, null));
    }

    /** Starts listening; on failure the model stays open (whoever opened it closes it). */
    private static Server launch(Server s) {
        s.model.engine(); // start the engine thread now: the first request should not pay for it
        try {
            s.jetty.start();
        } catch (Exception e) {
            try {
                s.jetty.stop();
            } catch (Exception ignored) {
                // nothing more to release
            }
            throw new IllegalStateException("cannot listen on " + s.config.host() + ":" + s.config.port() + ": " + e.getMessage(), e);
        }
        return s;
    }

    /** The port listened on (the one picked when the config said 0). */
    public int port() { return connector.getLocalPort(); }

    /** {@code http://host:port/v1}: the base URL an OpenAI client takes. */
    public String baseUrl() {
        String h = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + h + ":" + port() + "/v1";
    }

    /** The id the model is served under. */
    public String modelName() { return config.servedName(); }

    public ChatModel model() { return model; }

    /** Blocks until {@link #close()} has finished (the CLI's main thread waits here). */
    public void await() throws InterruptedException { stopped.await(); }

    synchronized boolean enter() {
        if (draining) return false;
        active++;
        return true;
    }

    synchronized void exit() {
        active--;
        notifyAll();
    }

    /** Requests being answered now. */
    public synchronized int active() { return active; }

    /** Drains (see the class doc), stops listening and closes what the server opened. Idempotent. */
    @Override
    public void close() {
        boolean first;
        synchronized (this) {
            first = !draining;
            draining = true;
        }
        if (!first) { // another thread is closing: wait for it, outside the lock that finishing requests need
            waitStopped();
            return;
        }
        synchronized (this) {
            if (!waitIdle(config.drainTimeout().toMillis())) {
                chat.cancelAll(); // past the drain time: what is still running ends now, with what it has
                waitIdle(5_000);
            }
        }
        try {
            jetty.stop();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the HTTP listener: " + e.getMessage(), e);
        } finally {
            closeModel();
            stopped.countDown();
        }
    }

    private boolean waitIdle(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        try {
            while (active > 0) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) return false;
                wait(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void waitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeModel() {
        if (ownedBackend == null) return;
        model.close();
        ownedBackend.close();
    }
}
