package ai.pulsemind.data;

import ai.pulsemind.data.importers.Importers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The importer samples a newcomer tries (datasets/samples/import): every {@code --format} has one, every input there
 * imports through the CLI as its README says, and the results validate, also all together as a folder of datasets.
 */
class SamplesImportTest {
    static final Path SAMPLES = Path.of("..", "datasets", "samples", "import");

    /** format, input, --images (null: none), records and images expected. */
    record Sample(String format, String input, String images, int records, int imageCount) {}

    static final List<Sample> ALL = List.of(
            new Sample("pulsemind-meddiagnose", "meddiagnose/meddiagnose.csv", "meddiagnose/images", 3, 4),
            new Sample("cmtmedqa", "cmtmedqa/cmtmedqa.json", null, 2, 0),
            new Sample("sharegpt", "sharegpt/sharegpt.jsonl", "sharegpt/images", 2, 2),
            new Sample("llava", "llava/llava.json", "llava/images", 2, 2),
            new Sample("mcq", "mcq/medqa.jsonl", null, 2, 0),
            new Sample("mcq", "mcq/medmcqa_dev.jsonl", null, 1, 0),
            new Sample("mcq", "mcq/ori_pqal.json", null, 2, 0),
            new Sample("vqa", "vqa/vqa_rad.json", "vqa/images", 2, 2),
            new Sample("vqa", "vqa/slake.json", "vqa/images", 2, 2),
            new Sample("vqa", "vqa/pathvqa_test.jsonl", "vqa/images", 1, 1));

    @TempDir Path tmp;

    @Test
    void everyFormatHasASampleAndEverySampleIsImported() throws IOException {
        assertEquals(new TreeSet<>(Importers.names()), new TreeSet<>(ALL.stream().map(Sample::format).toList()), "formats with a sample");
        Set<String> inputs = new TreeSet<>();
        try (Stream<Path> s = Files.walk(SAMPLES)) {
            s.filter(Files::isRegularFile).map(p -> SAMPLES.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> !p.contains("/images/") && !p.equals("README.md")).forEach(inputs::add);
        }
        assertEquals(inputs, new TreeSet<>(ALL.stream().map(Sample::input).toList()), "sample inputs this test imports");
        String readme = Files.readString(SAMPLES.resolve("README.md"));
        for (Sample s : ALL) assertTrue(readme.contains(s.input()), "README.md does not name " + s.input());
    }

    @Test
    void eachSampleImportsAndValidates() throws IOException {
        Path all = tmp.resolve("imports");
        for (int i = 0; i < ALL.size(); i++) {
            Sample s = ALL.get(i);
            Path out = all.resolve(i + "-" + s.format());
            List<String> args = new ArrayList<>(List.of("data", "import", "--format", s.format(),
                    "--input", SAMPLES.resolve(s.input()).toString(), "--out", out.toString()));
            if (s.images() != null) args.addAll(List.of("--images", SAMPLES.resolve(s.images()).toString()));
            DataCommandsTest.Run r = DataCommandsTest.run(args.toArray(String[]::new));
            assertEquals(0, r.code(), s + ": " + r.err());
            assertTrue(r.err().contains("imported " + s.records() + " record(s), " + s.imageCount() + " image(s)")
                    && r.err().contains("skipped 0 bad"), s + ": " + r.err());
            DataCommandsTest.Run v = DataCommandsTest.run("data", "validate", out.toString(), "--quiet");
            assertEquals(0, v.code(), s + ": " + v.out() + v.err());
        }
        DataCommandsTest.Run v = DataCommandsTest.run("data", "validate", all.toString(), "--quiet");
        assertEquals(0, v.code(), v.out() + v.err());
        int records = ALL.stream().mapToInt(Sample::records).sum(), images = ALL.stream().mapToInt(Sample::imageCount).sum();
        assertTrue(v.err().contains("ok: " + records + " records, " + images + " images, 0 problem(s) in 0 record(s) across "
                + ALL.size() + " datasets"), v.err());
    }
}
