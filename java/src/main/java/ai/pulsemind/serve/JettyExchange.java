package ai.pulsemind.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An {@link Exchange} on Jetty's core API. Writes block the request's (virtual) thread until Jetty has taken the
 * bytes; Jetty's {@link Callback} is completed exactly once, by the last write or by {@link #finish}.
 */
final class JettyExchange implements Exchange {
    /** The status logged for an exchange whose client went away before the answer (nginx's convention). */
    static final int CLIENT_GONE = 499;

    private final Request request;
    private final Response response;
    private final Callback callback;
    private boolean completed;
    private int status;

    JettyExchange(Request request, Response response, Callback callback) {
        this.request = request;
        this.response = response;
        this.callback = callback;
    }

    private boolean bodyRead;

    Request request() { return request; }

    /** The request's body was read to its end. */
    void markBodyRead() { bodyRead = true; }

    boolean bodyRead() { return bodyRead; }

    /** Answers with {@code Connection: close}: the connection ends after this answer. */
    void closeAfter() { response.getHeaders().put(HttpHeader.CONNECTION, "close"); }

    /** The status sent, or {@link #CLIENT_GONE}. */
    int status() { return status; }

    boolean committed() { return response.isCommitted(); }

    @Override
    public void json(int status, JsonNode body) throws IOException {
        send(status, "application/json", body.toString());
    }

    /** A whole answer of any type. */
    void send(int status, String contentType, String body) throws IOException {
        this.status = status;
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        write(true, body);
    }

    @Override
    public void startEvents() throws IOException {
        status = 200;
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put("X-Accel-Buffering", "no"); // proxies in front must not hold tokens back
    }

    @Override
    public void write(String events) throws IOException { write(false, events); }

    @Override
    public void end(String events) throws IOException { write(true, events); }

    @Override
    public void onFailure(Runnable r) { request.addFailureListener(t -> r.run()); }

    private void write(boolean last, String text) throws IOException {
        if (completed) throw new IOException("the exchange is complete");
        try (Blocker.Callback b = Blocker.callback()) {
            response.write(last, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), b);
            b.block();
        } catch (IOException e) {
            status = CLIENT_GONE;
            completed = true;
            callback.failed(e);
            throw e;
        }
        if (last) {
            completed = true;
            callback.succeeded();
        }
    }

    /** Completes an exchange the endpoint left open (its client went away): Jetty drops the connection. */
    void finish() {
        if (completed) return;
        completed = true;
        status = CLIENT_GONE;
        callback.failed(new IOException("the client went away before the answer"));
    }
}
