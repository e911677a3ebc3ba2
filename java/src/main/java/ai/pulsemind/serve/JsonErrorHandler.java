package ai.pulsemind.serve;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Errors Jetty itself answers before a request reaches {@link ApiHandler} (headers too large, a malformed request
 * line, …) in the same OpenAI error body as every other refusal, instead of Jetty's HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        String reason = message != null ? message : HttpStatus.getMessage(code);
        ApiError e = new ApiError(code, code >= 500 ? "server_error" : "invalid_request_error", null, "http_" + code,
                "The HTTP request was refused: " + reason + ".");
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(e.body().toString().getBytes(StandardCharsets.UTF_8)), callback);
    }
}
