package ai.pulsemind.serve;

import ai.pulsemind.model.generate.Engine;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * What {@code GET /metrics} reports, in the Prometheus text format (version 0.0.4): requests by endpoint and
 * status, tokens in and out, requests in flight, sequences queued and running, disconnects, latency and time to
 * first token, and the engine's own counters.
 */
final class Metrics {
    private final Map<String, LongAdder> requests = new ConcurrentSkipListMap<>(); // "endpoint\0code"
    final LongAdder promptTokens = new LongAdder();
    final LongAdder completionTokens = new LongAdder();
    final LongAdder disconnects = new LongAdder();
    final AtomicInteger inFlight = new AtomicInteger();
    final Histogram latency = new Histogram("pulsemind_request_duration_seconds",
            "Time from a chat completion request's arrival to its last byte, for requests that succeeded.", Histogram.SECONDS);
    final Histogram firstToken = new Histogram("pulsemind_time_to_first_token_seconds",
            "Time from a chat completion request's arrival to its first generated token (queueing and prefill).", Histogram.SECONDS);
    private final Admission admission;
    private final Supplier<Engine.Stats> engine;

    Metrics(Admission admission, Supplier<Engine.Stats> engine) {
        this.admission = admission;
        this.engine = engine;
    }

    /** Counts one answered request; {@code endpoint} is one of the server's routes or "other". */
    void answered(String endpoint, int status) {
        requests.computeIfAbsent(endpoint + '\0' + status, k -> new LongAdder()).increment();
    }

    /** The count for one endpoint and status (tests read it back). */
    long answeredCount(String endpoint, int status) {
        LongAdder a = requests.get(endpoint + '\0' + status);
        return a == null ? 0 : a.sum();
    }

    String render() {
        StringBuilder o = new StringBuilder(4096);
        header(o, "pulsemind_requests_total", "counter", "HTTP requests answered, by endpoint and status code.");
        for (var e : requests.entrySet()) {
            String[] k = e.getKey().split("\0");
            o.append("pulsemind_requests_total{endpoint=\"").append(k[0]).append("\",code=\"").append(k[1]).append("\"} ")
                    .append(e.getValue().sum()).append('\n');
        }
        counter(o, "pulsemind_prompt_tokens_total", "Prompt tokens of chat completions that were generated.", promptTokens.sum());
        counter(o, "pulsemind_completion_tokens_total", "Tokens generated for chat completions.", completionTokens.sum());
        counter(o, "pulsemind_client_disconnects_total", "Streams whose client went away; their sequences were cancelled.", disconnects.sum());
        gauge(o, "pulsemind_requests_in_flight", "HTTP requests being handled now.", inFlight.get());
        gauge(o, "pulsemind_queue_depth", "Sequences admitted that wait for a slot or their prefill.", admission.queued());
        gauge(o, "pulsemind_running_sequences", "Sequences decoding now.", admission.running());
        gauge(o, "pulsemind_capacity_sequences", "Sequences admitted at most (slots plus queue); beyond, 429.", admission.capacity());
        latency.write(o);
        firstToken.write(o);
        Engine.Stats s = engine.get();
        if (s != null) {
            counter(o, "pulsemind_engine_steps_total", "Engine steps.", s.steps());
            counter(o, "pulsemind_engine_prefill_tokens_total", "Prompt tokens prefilled by the engine.", s.prefillTokens());
            counter(o, "pulsemind_engine_decoded_tokens_total", "Tokens decoded by the engine.", s.decodedTokens());
            counter(o, "pulsemind_engine_completed_total", "Engine requests that finished.", s.completed());
            counter(o, "pulsemind_engine_cancelled_total", "Engine requests cancelled (slots freed early).", s.cancelled());
            counter(o, "pulsemind_engine_failed_total", "Engine requests that failed.", s.failed());
            gauge(o, "pulsemind_engine_peak_batch", "The most sequences decoded in one step.", s.peakBatch());
        }
        return o.toString();
    }

    private static void header(StringBuilder o, String name, String type, String help) {
        o.append("# HELP ").append(name).append(' ').append(help).append('\n');
        o.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void counter(StringBuilder o, String name, String help, long v) {
        header(o, name, "counter", help);
        o.append(name).append(' ').append(v).append('\n');
    }

    private static void gauge(StringBuilder o, String name, String help, long v) {
        header(o, name, "gauge", help);
        o.append(name).append(' ').append(v).append('\n');
    }

    static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) + ".0" : Double.toString(d);
    }
}
