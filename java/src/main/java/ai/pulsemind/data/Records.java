package ai.pulsemind.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** JSON (de)serialisation of records: one shared, thread-safe mapper; one line per record, no pretty printing. */
public final class Records {
    private Records() {}

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** The record as one JSONL line, without the newline. */
    public static String toLine(MediRecord r) {
        try {
            return MAPPER.writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise record " + r.id() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Binds a node that {@link RecordValidator} accepted. */
    public static MediRecord fromNode(JsonNode node) {
        try {
            return MAPPER.treeToValue(node, MediRecord.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new IllegalArgumentException(m, e);
        }
    }
}
