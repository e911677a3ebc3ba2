package ai.pulsemind.serve;

import java.util.Locale;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** A Prometheus histogram of seconds: cumulative buckets, sum and count, updated from any thread. */
final class Histogram {
    /** From 5 ms (a short reply from a tiny model) to 2 min (a long reply from a large one on a CPU). */
    static final double[] SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

    private final String name, help;
    private final double[] bounds;
    private final LongAdder[] counts; // per bucket, not cumulative; the last is +Inf
    private final DoubleAdder sum = new DoubleAdder();

    Histogram(String name, String help, double[] bounds) {
        this.name = name;
        this.help = help;
        this.bounds = bounds.clone();
        this.counts = new LongAdder[bounds.length + 1];
        for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
    }

    void observe(double seconds) {
        int i = 0;
        while (i < bounds.length && seconds > bounds[i]) i++;
        counts[i].increment();
        sum.add(seconds);
    }

    void write(StringBuilder out) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
        long cumulative = 0;
        for (int i = 0; i < counts.length; i++) {
            cumulative += counts[i].sum();
            String le = i < bounds.length ? Metrics.number(bounds[i]) : "+Inf";
            out.append(name).append("_bucket{le=\"").append(le).append("\"} ").append(cumulative).append('\n');
        }
        out.append(name).append("_sum ").append(String.format(Locale.ROOT, "%.6f", sum.sum())).append('\n');
        out.append(name).append("_count ").append(cumulative).append('\n');
    }
}
