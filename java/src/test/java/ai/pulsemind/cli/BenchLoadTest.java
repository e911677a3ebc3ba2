package ai.pulsemind.cli;

import ai.pulsemind.model.io.HfConfigReader;
import ai.pulsemind.testing.CliRun;
import ai.pulsemind.tokenize.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench load --create}: a complete random model directory (tokenizer too), its size said before writing. */
class BenchLoadTest {
    @TempDir Path tmp;

    @Test
    void createWritesAModelDirectoryEveryCommandCanUse() throws Exception {
        Path dir = tmp.resolve("m");
        CliRun.Result r = CliRun.run("bench", "load", "--dir", dir.toString(), "--create", "--shape", "tiny", "--dtype", "f32", "--json");
        assertEquals(0, r.code(), r.err());
        var t = BenchGenerateCommand.dims("tiny");
        long params = RandomCheckpoint.parameters(t);
        assertTrue(r.err().contains("writing a random tiny model (f32, " + String.format("%,d", params) + " parameters, "), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(params * 4, j.get("weights_bytes").asLong(), "the size said before writing is the size loaded");
        long file = Files.size(dir.resolve("model.safetensors"));
        assertTrue(file >= params * 4 && file < params * 4 + 65536, "file " + file + " for " + params * 4 + " bytes of weights");

        Tokenizer tok = Tokenizer.fromModelDir(dir);
        String text = "Hello, 医生 <x>";
        int[] ids = tok.encode(text, false);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(bytes.length, ids.length, "one token per byte: no merges");
        assertEquals(text, tok.decode(ids));
        JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        assertEquals(tok.requireId("<|im_end|>"), config.get("eos_token_id").asInt());
        assertEquals(tok.requireId("<|image_pad|>"), config.get("image_token_id").asInt());
        assertEquals(tok.requireId("<|vision_start|>"), config.get("vision_start_token_id").asInt());
        assertEquals(t.vocabSize(), HfConfigReader.read(dir).text().vocabSize(), "the embedding table is padded beyond the tokenizer");
        assertArrayEquals(new int[] {tok.requireId("<|im_start|>")}, tok.encode("<|im_start|>", false));

        // the directory serves as --model: the loader encodes the synthetic sample with its template and processor
        CliRun.Result loader = CliRun.run("bench", "loader", "--data", Path.of("..", "datasets", "samples", "synthetic-mini").toString(),
                "--model", dir.toString(), "--reps", "1", "--warmup", "1", "--threads", "1", "--json");
        assertEquals(0, loader.code(), loader.err());
        JsonNode l = new ObjectMapper().readTree(loader.out());
        assertEquals(6, l.get("records").asInt());
        assertTrue(l.get("patches").asLong() > 0 && l.get("trained_tokens").asLong() > 0, loader.out());
    }

    @Test
    void theSizeSaidBeforeWritingIsQwensOwnCount() {
        // Qwen2.5-0.5B's published parameter count (tied embeddings); the default --shape writes about 1 GB in bf16
        assertEquals(494_032_768L, RandomCheckpoint.textParameters(BenchGenerateCommand.dims("qwen2.5-0.5b")));
        long bytes = RandomCheckpoint.weightBytes(BenchGenerateCommand.dims("qwen2.5-0.5b"), ai.pulsemind.tensor.DType.BF16);
        assertTrue(bytes > 0.98e9 && bytes < 1.0e9, "bytes " + bytes);
    }

    @Test
    void aDirectoryWithoutAModelIsNamed() {
        CliRun.Result r = CliRun.run("bench", "load", "--dir", tmp.toString());
        assertEquals(1, r.code());
        assertEquals("error: --dir " + tmp + ": no config.json (a Hugging Face model directory; --create writes a random one)", r.err().strip());
    }
}
