package ai.pulsemind.serve;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;

/**
 * One HTTP exchange as the endpoints see it (the Jetty side is {@link ApiHandler}): a whole JSON answer, or a
 * stream of server-sent events whose writes block until the bytes are handed to the connection and fail with an
 * {@link IOException} once the client has gone.
 */
interface Exchange {
    /** Sends {@code body} with {@code status}, completing the exchange. */
    void json(int status, JsonNode body) throws IOException;

    /** Commits status 200 and {@code text/event-stream}; after this only {@link #write} and {@link #end}. */
    void startEvents() throws IOException;

    /** Writes already formatted events ({@code data: …\n\n}, one or more). */
    void write(String events) throws IOException;

    /** Writes the last events and completes the exchange. */
    void end(String events) throws IOException;

    /** Runs {@code r} (once, on some thread) if the connection fails before the exchange completes. */
    void onFailure(Runnable r);
}
