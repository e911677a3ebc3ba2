package ai.pulsemind.data;

import ai.pulsemind.data.images.ImageDecoder;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Checks a whole dataset, streaming: each record's rules ({@link RecordValidator}), ids unique across all shards,
 * every image inside the root, present and decodable. Memory stays flat apart from 16 bytes per record for the
 * duplicate-id check ({@link IdIndex}). Every problem goes to the sink as a {@link DataError}
 * ({@code file:line: field: message}); it stops after {@code maxErrors}.
 */
public final class DatasetValidator {
    /**
     * @param maxErrors    stop after this many problems (at least 1)
     * @param decodeImages decode every image (slow on big sets); false checks only that the files exist
     */
    public record Options(int maxErrors, boolean decodeImages, ImageDecoder.Options imageOptions) {
        public Options {
            if (maxErrors < 1) throw new IllegalArgumentException("maxErrors must be >= 1, got " + maxErrors);
            if (imageOptions == null) imageOptions = ImageDecoder.Options.DEFAULT;
        }

        public static Options defaults() { return new Options(100, true, ImageDecoder.Options.DEFAULT); }
    }

    /** What a run saw: records read, records with at least one problem, problems, and whether it stopped early. */
    public record Result(long records, long badRecords, long errors, long images, boolean stoppedEarly) {
        public boolean ok() { return errors == 0; }
    }

    private final Options opt;
    private final Consumer<DataError> sink;
    private final Progress progress;
    private final IdIndex ids = new IdIndex();
    private long records, bad, errors, images;
    private boolean stopped;

    private DatasetValidator(Options opt, Consumer<DataError> sink, Progress progress) {
        this.opt = opt;
        this.sink = sink;
        this.progress = progress;
    }

    public static Result validate(Path path, Options opt, Consumer<DataError> sink, Progress progress) throws IOException {
        DatasetValidator v = new DatasetValidator(opt, sink, progress);
        Path root = DatasetPaths.rootOf(path);
        List<Path> shards = DatasetPaths.shards(path);
        if (shards.isEmpty()) v.report(new DataError(path.toString(), 0, "-", "no *.jsonl shards found"));
        for (int s = 0; s < shards.size() && !v.stopped; s++) v.shard(root, shards.get(s), s);
        progress.finish();
        return new Result(v.records, v.bad, v.errors, v.images, v.stopped);
    }

    private void shard(Path root, Path file, int shardIndex) throws IOException {
        String name = file.toString();
        try (JsonlReader in = new JsonlReader(file)) {
            JsonlReader.Line line;
            while (!stopped) {
                try {
                    line = in.next();
                } catch (DataError e) {
                    report(e);
                    return; // undecodable bytes: the rest of this file cannot be trusted line by line
                }
                if (line == null) break;
                records++;
                long before = errors;
                record(root, name, line, shardIndex);
                if (errors > before) { bad++; progress.failed(1); }
                progress.advance(1);
            }
        }
    }

    private void record(Path root, String name, JsonlReader.Line line, int shardIndex) {
        JsonNode node;
        try {
            node = JsonlReader.parse(name, line);
        } catch (DataError e) {
            report(e);
            return;
        }
        for (RecordValidator.Problem p : RecordValidator.check(node))
            report(new DataError(name, line.number(), p.field(), p.message()));
        JsonNode id = node.get("id");
        if (id != null && id.isTextual()) {
            long prev = ids.putIfAbsent(id.asText(), ((long) shardIndex << 40) | line.number());
            if (prev >= 0)
                report(new DataError(name, line.number(), "id", "duplicate id '" + id.asText() + "' (first in shard "
                        + (prev >>> 40) + " at line " + (prev & ((1L << 40) - 1)) + ")"));
        }
        JsonNode ims = node.get("images");
        if (ims != null && ims.isArray())
            for (int i = 0; i < ims.size() && !stopped; i++) image(root, name, line.number(), i, ims.get(i).get("path"));
    }

    private void image(Path root, String name, long lineNo, int i, JsonNode pathNode) {
        if (pathNode == null || !pathNode.isTextual() || DatasetPaths.pathProblem(pathNode.asText()) != null) return; // reported above
        String field = "images[" + i + "].path";
        Path f;
        try {
            f = DatasetPaths.resolveInside(root, pathNode.asText());
        } catch (IllegalArgumentException e) {
            report(new DataError(name, lineNo, field, e.getMessage()));
            return;
        }
        images++;
        if (!Files.isRegularFile(f)) {
            report(new DataError(name, lineNo, field, "image file '" + pathNode.asText() + "' does not exist under " + root));
            return;
        }
        if (!opt.decodeImages()) return;
        try {
            ImageDecoder.decode(f, opt.imageOptions());
        } catch (IOException | RuntimeException e) {
            report(new DataError(name, lineNo, field, "image does not decode: " + e.getMessage()));
        }
    }

    private void report(DataError e) {
        if (stopped) return;
        errors++;
        sink.accept(e);
        if (errors >= opt.maxErrors()) stopped = true;
    }
}
