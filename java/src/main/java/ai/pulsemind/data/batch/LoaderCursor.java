package ai.pulsemind.data.batch;

import ai.pulsemind.data.Records;
import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * A loader position that a checkpoint can store and restore exactly: the next batch is batch {@code batch} of the
 * window starting at {@code position} in epoch {@code epoch}'s order. JSON via {@link #toJson()}/{@link #fromJson}.
 *
 * @param dataset the dataset fingerprint ({@link RecordIndex#fingerprint()}); a cursor does not apply to another
 */
public record LoaderCursor(long seed, int epoch, int position, int batch, String dataset) {
    public LoaderCursor {
        if (epoch < 0 || position < 0 || batch < 0) throw new IllegalArgumentException("cursor fields must be >= 0: " + epoch + "/" + position + "/" + batch);
    }

    public static LoaderCursor start(long seed, String dataset) { return new LoaderCursor(seed, 0, 0, 0, dataset); }

    public String toJson() {
        try {
            return Records.MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static LoaderCursor fromJson(String json) {
        try {
            return Records.MAPPER.readValue(json, LoaderCursor.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a loader cursor: " + ai.pulsemind.data.Json.plain(e), e);
        }
    }
}
