package ai.pulsemind.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The routes, and what every request goes through before one: the drain gate (503 while shutting down), the API
 * key (401), the body limit (413) and JSON parsing (400); any refusal is an OpenAI error body. Runs blocking, on
 * the virtual thread Jetty gives each request.
 *
 * <pre>
 *   GET  /health               {"status": "ok", "model": …}              (no key needed: for liveness probes)
 *   GET  /metrics              Prometheus text
 *   GET  /v1/models            {"object": "list", "data": [{"id": …}]}
 *   GET  /v1/models/{id}
 *   POST /v1/chat/completions  see {@link ChatCompletions}
 * </pre>
 */
final class ApiHandler extends Handler.Abstract {
    private static final Logger LOG = Logger.getLogger(ApiHandler.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Server server;
    private final ServerConfig config;
    private final Metrics metrics;
    private final ChatCompletions chat;
    private final byte[] key;
    private final long created = System.currentTimeMillis() / 1000;

    ApiHandler(Server server, ServerConfig config, Metrics metrics, ChatCompletions chat) {
        this.server = server;
        this.config = config;
        this.metrics = metrics;
        this.chat = chat;
        this.key = config.apiKey() == null ? null : config.apiKey().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long t0 = System.nanoTime();
        String path = request.getHttpURI().getPath();
        String endpoint = endpoint(path);
        JettyExchange ex = new JettyExchange(request, response, callback);
        boolean entered = server.enter();
        metrics.inFlight.incrementAndGet();
        try {
            if (!entered) throw ApiError.draining();
            route(request, path, ex, t0);
        } catch (ApiError e) {
            refuse(ex, e);
        } catch (IOException e) {
            // the client went away mid-answer; the exchange is completed below
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request " + request.getMethod() + " " + path + " failed", e);
            refuse(ex, new ApiError(500, "server_error", null, "internal_error", "The server failed on this request: " + e));
        } finally {
            ex.finish();
            metrics.answered(endpoint, ex.status());
            metrics.inFlight.decrementAndGet();
            if (entered) server.exit();
        }
        return true;
    }

    private void route(Request request, String path, JettyExchange ex, long t0) throws IOException {
        String method = request.getMethod();
        if (path.equals("/health")) {
            requireMethod(method, "GET");
            ObjectNode o = JsonNodeFactory.instance.objectNode().put("status", "ok").put("model", config.servedName());
            ex.json(200, o);
            return;
        }
        if (!path.equals("/metrics") && !path.startsWith("/v1/")) throw notFound(path);
        authorize(request);
        switch (path) {
            case "/metrics" -> {
                requireMethod(method, "GET");
                ex.send(200, "text/plain; version=0.0.4; charset=utf-8", metrics.render());
            }
            case "/v1/models" -> {
                requireMethod(method, "GET");
                ObjectNode o = JsonNodeFactory.instance.objectNode().put("object", "list");
                o.putArray("data").add(modelEntry());
                ex.json(200, o);
            }
            case "/v1/chat/completions" -> {
                requireMethod(method, "POST");
                chat.handle(body(request, ex), ex, t0);
            }
            default -> {
                if (path.startsWith("/v1/models/") && method.equals("GET")) {
                    if (!path.substring("/v1/models/".length()).equals(config.servedName()))
                        throw new ApiError(404, "invalid_request_error", "model", "model_not_found",
                                "The model '" + path.substring("/v1/models/".length()) + "' does not exist here; this server serves '" + config.servedName() + "'.");
                    ex.json(200, modelEntry());
                } else throw notFound(path);
            }
        }
    }

    private ObjectNode modelEntry() {
        return JsonNodeFactory.instance.objectNode().put("id", config.servedName()).put("object", "model")
                .put("created", created).put("owned_by", "pulsemind");
    }

    /** Constant-time comparison, so the key cannot be guessed a byte at a time from response times. */
    private void authorize(Request request) {
        if (key == null) return;
        String h = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        byte[] sent = h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).strip().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(sent, key)) throw ApiError.unauthorized();
    }

    /** The body, refused with 413 past the limit (by its declared length before reading, else while reading). */
    private JsonNode body(Request request, JettyExchange ex) throws IOException {
        long limit = config.maxRequestBytes();
        if (request.getLength() > limit) throw ApiError.tooLarge(limit);
        byte[] bytes;
        try (InputStream in = Request.asInputStream(request)) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        }
        if (bytes.length > limit) throw ApiError.tooLarge(limit);
        ex.markBodyRead();
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || n.isMissingNode()) throw ApiError.invalid(null, "The request body is empty; send a JSON object.");
            return n;
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw ApiError.invalid(null, "The request body is not valid JSON: " + e.getOriginalMessage()
                    + (loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")"));
        }
    }

    private void refuse(JettyExchange ex, ApiError e) {
        if (ex.committed()) return; // a stream already under way reports errors as events
        // A body left unread (refused by its size or before it was read) cannot be skipped reliably: say that the
        // connection closes, or a client would send its next request on a connection about to go away.
        if (!ex.bodyRead() && (ex.request().getLength() > 0 || ex.request().getHeaders().contains(HttpHeader.TRANSFER_ENCODING)))
            ex.closeAfter();
        try {
            ex.json(e.status, e.body());
        } catch (IOException ignored) {
            // the client is gone; nothing to tell it
        }
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed))
            throw new ApiError(405, "invalid_request_error", null, "method_not_allowed", "Use " + allowed + " here, not " + method + ".");
    }

    private static ApiError notFound(String path) {
        return new ApiError(404, "invalid_request_error", null, "not_found",
                "No route " + path + "; this server has /v1/chat/completions, /v1/models, /health and /metrics.");
    }

    /** The label a request is counted under: a route, or "other" (so scanners cannot grow the metrics). */
    static String endpoint(String path) {
        return switch (path) {
            case "/health", "/metrics", "/v1/models", "/v1/chat/completions" -> path;
            default -> path.startsWith("/v1/models/") ? "/v1/models/{id}" : "other";
        };
    }
}
