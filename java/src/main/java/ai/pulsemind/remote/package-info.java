/**
 * A client for OpenAI-compatible chat endpoints (vLLM, Ollama, OpenAI, any server that speaks
 * {@code POST {base}/chat/completions}), used by the judges and by anything that runs a model served over HTTP.
 *
 * <p>{@link ai.pulsemind.remote.OpenAiClient} is the JDK {@link java.net.http.HttpClient} with what a long run
 * needs: a bound on requests in flight, a timeout per request, retries of 429s, 5xx answers, malformed bodies and
 * network errors with exponential backoff and jitter (a {@code Retry-After} header is honoured), and a
 * {@link ai.pulsemind.remote.RetryBudget} so that a failing endpoint is not hammered. The API key comes from an
 * environment variable. Every error is a {@link ai.pulsemind.remote.RemoteException} that names the URL.
 */
package ai.pulsemind.remote;
