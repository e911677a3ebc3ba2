package ai.pulsemind.evaluate.publicbench;

import ai.pulsemind.evaluate.ModelSpec;

/**
 * A {@link ModelSpec} to the {@link Replier} that runs it. Local checkpoints run on the local engine
 * ({@link LocalReplier}). OpenAI-compatible endpoints are where the HTTP client is wired in: {@link #endpoint} is
 * that one place; until then a run names the gap at its start, and an endpoint's recorded outputs are scored with
 * {@code --predictions}.
 */
public final class Repliers {
    private Repliers() {}

    /** @param device {@code --device} for a local model; @param threads {@code --threads} (0: all cores) */
    public static Replier open(ModelSpec spec, String device, int threads) {
        return switch (spec) {
            case ModelSpec.Local l -> LocalReplier.open(l, device, threads);
            case ModelSpec.Endpoint e -> endpoint(e);
        };
    }

    /** The seam for the OpenAI-compatible client: chat completions with {@code e.model()}, temperature 0. */
    static Replier endpoint(ModelSpec.Endpoint e) {
        throw new IllegalArgumentException("--model " + e.canonical() + ": OpenAI-compatible endpoints are not connected in this build "
                + "yet; record the endpoint's replies and score them with --predictions FILE");
    }
}
