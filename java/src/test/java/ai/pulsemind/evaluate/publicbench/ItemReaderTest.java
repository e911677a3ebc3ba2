package ai.pulsemind.evaluate.publicbench;

import ai.pulsemind.data.DataError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Questions from imported datasets: malformed lines named and skipped, missing images counted, limits, splits. */
class ItemReaderTest {
    static Path copySamples(Path to) throws IOException {
        try (Stream<Path> s = Files.walk(PublicFixtures.SAMPLES)) {
            for (Path p : s.toList()) {
                Path d = to.resolve(PublicFixtures.SAMPLES.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(d);
                else Files.copy(p, d);
            }
        }
        return to;
    }

    @Test
    void badLinesAreNamedAndSkippedAndMissingImagesCounted(@TempDir Path tmp) throws IOException {
        Path data = copySamples(tmp.resolve("data"));
        Path shard = data.resolve("vqa-rad/data-00000.jsonl");
        Files.writeString(shard, "{not json\n{\"id\":\"x\"}\n", StandardOpenOption.APPEND);
        Files.delete(data.resolve("vqa-rad/images/vqa-rad-103/img0.png"));
        ItemReader.Problems problems = new ItemReader.Problems(null);
        ItemReader.Result r = ItemReader.read(data, List.of(Task.VQA_RAD, Task.MMLU_MEDICAL), 0, true, problems);
        assertEquals(2, problems.malformed());
        List<String> m = problems.malformedMessages();
        assertTrue(m.get(0).startsWith(shard + ":4: -: malformed JSON"), m.get(0));
        assertTrue(m.get(1).startsWith(shard + ":5: "), m.get(1));
        assertEquals(1, problems.missingImages());
        assertEquals(1, problems.missingImages(Task.VQA_RAD));
        assertTrue(problems.missingImageMessages().getFirst().contains("vqa-rad-103") && problems.missingImageMessages().getFirst()
                .contains("vqa-rad/images/vqa-rad-103/img0.png is missing"), problems.missingImageMessages().getFirst());
        assertEquals(2, r.items().get(Task.VQA_RAD).size(), "the question without its image is left out");
        assertEquals(4, r.items().get(Task.MMLU_MEDICAL).size(), "astronomy is not MMLU-medical");
        assertTrue(r.notTaken() >= 1 + 3 * 7, "the other benchmarks' records and astronomy are not taken: " + r.notTaken());
        ItemReader.Result noImages = ItemReader.read(data, List.of(Task.VQA_RAD), 0, false, new ItemReader.Problems(null));
        assertEquals(3, noImages.items().get(Task.VQA_RAD).size(), "scoring recorded replies needs no images");
    }

    @Test
    void limitTakesTheFirstQuestions() throws IOException {
        ItemReader.Result r = ItemReader.read(PublicFixtures.SAMPLES, List.of(Task.MEDQA), 2, true, new ItemReader.Problems(null));
        assertEquals(List.of("medqa-1", "medqa-2"), r.items().get(Task.MEDQA).stream().map(Item::id).toList());
        assertEquals(4, r.fewShotPool().get(Task.MEDQA).size(), "shots come from all the questions, not only the first two");
    }

    @Test
    void trainAndValRecordsAreTheFewShotPool(@TempDir Path tmp) throws IOException {
        Path data = copySamples(tmp.resolve("data"));
        Path shard = data.resolve("medqa/data-00000.jsonl");
        List<String> lines = Files.readAllLines(shard);
        lines.set(0, lines.get(0).replace("\"split\":\"test\"", "\"split\":\"train\""));
        Files.write(shard, lines);
        ItemReader.Result r = ItemReader.read(data, List.of(Task.MEDQA), 0, true, new ItemReader.Problems(null));
        assertEquals(List.of("medqa-1"), r.fewShotPool().get(Task.MEDQA).stream().map(Item::id).toList());
        assertEquals(3, r.items().get(Task.MEDQA).size());
    }

    @Test
    void questionWithoutMetaLosesTheRenderedOptions() {
        Map<String, String> o = new java.util.LinkedHashMap<>();
        o.put("A", "x");
        o.put("B", "y z");
        assertEquals("Which?", ItemReader.withoutOptions("Which?\nA. x\nB. y z", o));
        assertEquals("Which? A) x", ItemReader.withoutOptions("Which? A) x", o), "text in another layout stays whole");
    }

    @Test
    void aMissingDataFolderIsAnError(@TempDir Path tmp) {
        DataError e = assertThrows(DataError.class, () -> ItemReader.read(tmp.resolve("nope"), List.of(Task.MEDQA), 0, true, new ItemReader.Problems(null)));
        assertTrue(e.getMessage().contains("--data"), e.getMessage());
    }
}
