package ai.pulsemind.train;

import ai.pulsemind.data.SampleEncoder;
import ai.pulsemind.data.batch.Batch;
import ai.pulsemind.data.batch.DataLoader;
import ai.pulsemind.data.batch.LoaderConfig;
import ai.pulsemind.data.batch.LoaderCursor;
import ai.pulsemind.data.batch.RecordIndex;

/**
 * The unigram baseline: a model that predicts every target token from its frequency among the training targets
 * (add-one smoothed over the vocabulary), scored on the evaluation targets. A trained model's {@code eval_loss}
 * below it has learnt more than token frequencies.
 */
final class Unigram {
    private Unigram() {}

    static double loss(CausalLm objective, RecordIndex train, RecordIndex eval, SampleEncoder enc, LoaderConfig cfg, int vocab) {
        long[] counts = new long[vocab];
        long total = 0;
        try (DataLoader dl = new DataLoader(train, enc, cfg, LoaderCursor.start(cfg.seed(), train.fingerprint()), 1)) {
            while (dl.hasNext()) for (int t : objective.targets(dl.next())) if (t >= 0) { counts[t]++; total++; }
        }
        double sum = 0;
        long n = 0;
        try (DataLoader dl = new DataLoader(eval, enc, cfg, LoaderCursor.start(cfg.seed(), eval.fingerprint()), 1)) {
            while (dl.hasNext()) {
                Batch b = dl.next();
                for (int t : objective.targets(b)) if (t >= 0) { sum -= Math.log((counts[t] + 1.0) / (total + vocab)); n++; }
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
