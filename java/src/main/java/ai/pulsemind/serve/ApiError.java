package ai.pulsemind.serve;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request the server refuses, with the HTTP status and the body OpenAI's API sends for it:
 * {@code {"error": {"message", "type", "param", "code"}}} ({@code param} names the request field at fault, or is
 * null). Clients such as the OpenAI SDKs map the status to their exception types and show the message.
 */
final class ApiError extends RuntimeException {
    final int status;
    final String type;
    final String param;
    final String code;

    ApiError(int status, String type, String param, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: the request is malformed or asks for something this server does not do. */
    static ApiError invalid(String param, String message) {
        return new ApiError(400, "invalid_request_error", param, "invalid_value", message);
    }

    static ApiError unauthorized() {
        return new ApiError(401, "invalid_request_error", null, "invalid_api_key",
                "Incorrect or missing API key: send it as 'Authorization: Bearer KEY'.");
    }

    static ApiError tooLarge(long limit) {
        return new ApiError(413, "invalid_request_error", null, "request_too_large",
                "The request body is larger than this server's limit of " + limit + " bytes.");
    }

    static ApiError queueFull(int capacity) {
        return new ApiError(429, "rate_limit_exceeded", null, "rate_limit_exceeded",
                "The server is busy: " + capacity + " sequences are already running or queued. Retry later.");
    }

    static ApiError draining() {
        return new ApiError(503, "server_error", null, "shutting_down", "The server is shutting down.");
    }

    ObjectNode body() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", getMessage());
        e.put("type", type);
        if (param == null) e.putNull("param");
        else e.put("param", param);
        if (code == null) e.putNull("code");
        else e.put("code", code);
        return root;
    }
}
