package ai.pulsemind.examples;

import ai.pulsemind.data.DatasetCard;
import ai.pulsemind.data.DatasetWriter;
import ai.pulsemind.data.Progress;
import ai.pulsemind.data.synth.KnowledgeBase;
import ai.pulsemind.data.synth.SynthGenerator;
import ai.pulsemind.data.synth.SynthOptions;
import ai.pulsemind.model.generate.Completion;
import ai.pulsemind.train.init.ModelInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's Java examples are {@link ReadmeExamples}, line for line, and they run on a model made by {@code model init}. */
class ReadmeExamplesTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String MESSAGES = "[{\"role\":\"user\",\"content\":\"I have had a dry cough for a week.\"}]";

    /** The lines between the markers, without the indentation they share. */
    static List<String> region(List<String> lines, String name) {
        int from = lines.indexOf("    // README " + name + " begin"), to = lines.indexOf("    // README " + name + " end");
        assertTrue(from >= 0 && to > from, "markers for " + name);
        List<String> out = new ArrayList<>();
        for (String l : lines.subList(from + 1, to)) out.add(l.startsWith("    ") ? l.substring(4) : l);
        return out;
    }

    @Test
    void theReadmeShowsTheCompiledExamples() throws Exception {
        List<String> source = Files.readAllLines(ROOT.resolve("java/src/test/java/ai/pulsemind/examples/ReadmeExamples.java"));
        String readme = Files.readString(ROOT.resolve("README.md"));
        for (String name : List.of("facade", "engine", "stages")) {
            String block = "```java\n" + String.join("\n", region(source, name)) + "\n```";
            assertTrue(readme.contains(block), "README.md shows the " + name + " example of ReadmeExamples.java verbatim:\n" + block);
        }
        assertTrue(readme.contains("<artifactId>pulsemind</artifactId>"), "README.md gives the Maven coordinates");
    }

    @Test
    void theExamplesRunOnATinyModel(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data"), model = tmp.resolve("model");
        try (DatasetWriter w = new DatasetWriter(data, DatasetWriter.Options.defaults(), new DatasetCard())) {
            SynthGenerator.generate(KnowledgeBase.bundled(), new SynthOptions(8, 5, "en", 1, 5), w, Progress.NONE);
        }
        ModelInit.run(ModelInit.Shape.named("micro"), data, model, 1, false);
        String text = ReadmeExamples.reply(model, MESSAGES);
        Completion c = ReadmeExamples.streamed(model, MESSAGES);
        assertFalse(c.ids().length == 0, "a reply was generated");
        assertEquals(c.ids().length, c.logprobs().length, "one log-prob per new token");
        assertEquals(text, c.text(), "greedy: the facade and the engine give the same reply");
    }
}
