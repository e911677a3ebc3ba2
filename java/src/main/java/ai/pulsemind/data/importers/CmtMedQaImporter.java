package ai.pulsemind.data.importers;

import ai.pulsemind.data.DataError;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Turn;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CMtMedQA (Zhongjing): a JSON list (or JSON lines) of {@code {cate1, cate2, instruction, output, history}} where
 * {@code history} is {@code [[patient, doctor], …]} of earlier turns and the last turn is instruction → output.
 * {@code cate1}/{@code cate2} become department/sub-specialty. Record ids are {@code cmtmedqa-<line>} unless the
 * source has an {@code id}.
 */
final class CmtMedQaImporter implements Importer {
    @Override public String format() { return "cmtmedqa"; }

    @Override public String source() { return "CMtMedQA (Zhongjing, Yang et al., AAAI 2024)"; }

    @Override
    public void read(ImportOptions opt, Sink sink) throws IOException {
        JsonSource.records(opt.input(), sink, (n, file, line) -> new Imported(record(n, file, line, opt), List.of()));
    }

    static MediRecord record(JsonNode n, String file, long line, ImportOptions opt) {
        String instruction = Text.str(n, "instruction"), output = Text.str(n, "output");
        if (instruction == null) throw new DataError(file, line, "instruction", "required field is missing or empty");
        if (output == null) throw new DataError(file, line, "output", "required field is missing or empty");
        List<Turn> turns = new ArrayList<>();
        JsonNode h = n.get("history");
        if (h != null && !h.isNull()) {
            if (!h.isArray()) throw new DataError(file, line, "history", "must be a list of [patient, doctor] pairs");
            for (int i = 0; i < h.size(); i++) {
                JsonNode pair = h.get(i);
                if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).isTextual())
                    throw new DataError(file, line, "history[" + i + "]", "must be a [patient, doctor] pair of strings");
                turns.add(Turn.patient(pair.get(0).asText()));
                turns.add(Turn.doctor(pair.get(1).asText()));
            }
        }
        turns.add(Turn.patient(instruction));
        turns.add(Turn.doctor(output));
        String id = Text.str(n, "id");
        String dept = Text.str(n, "cate1");
        return MediRecord.builder(id != null ? "cmtmedqa-" + id : "cmtmedqa-" + line, Text.language(instruction + output))
                .department(dept != null ? dept : opt.department()).subspecialty(Text.str(n, "cate2")).turns(turns)
                .source("cmtmedqa").build();
    }
}
