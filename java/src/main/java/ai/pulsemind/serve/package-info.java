/**
 * An OpenAI-compatible HTTP server over the generation engine ({@code pulsemind serve}, or {@link
 * ai.pulsemind.serve.Server#start} from a JVM service).
 *
 * <pre>
 *   client ──HTTP──▶ Jetty (virtual thread per request) ──▶ {@link ai.pulsemind.serve.ApiHandler}
 *                      auth (Bearer key) · body limit · JSON · OpenAI error bodies
 *                         │
 *                         ▼
 *                    {@link ai.pulsemind.serve.ChatCompletions}: {@link ai.pulsemind.serve.CompletionRequest} → prompt,
 *                    {@link ai.pulsemind.serve.Admission} (slots + bounded queue, else 429) → n engine requests
 *                         │                                  ▲ tokens (engine thread → queue)
 *                         ▼                                  │
 *                    Engine (continuous batching) ───────────┘ → one JSON answer, or server-sent events
 * </pre>
 *
 * The engine thread never touches a socket: listeners only put tokens on the request's queue, and the request's
 * own thread writes them (several at once when it falls behind). A write that fails (the client went away)
 * cancels the request's engine handles, which frees their slots at the next engine step. A non-streamed request
 * writes nothing until its answer, so a client that leaves it is only noticed when the connection reports a failure
 * (Jetty's failure listener); otherwise it runs to its max_tokens. Clients that may give up should stream.
 */
package ai.pulsemind.serve;
