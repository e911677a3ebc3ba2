package ai.pulsemind.data;

import ai.pulsemind.data.images.ImageDecoder;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Checks a whole dataset, streaming: each record's rules ({@link RecordValidator}), ids unique across all shards,
 * every image inside the root, present and decodable. Memory stays flat apart from 16 bytes per record for the
 * duplicate-id check ({@link IdIndex}). Every problem goes to the sink as a {@link DataError}
 * ({@code file:line: field: message}); it stops after {@code maxErrors}.
 *
 * <p>A folder may hold several datasets (folders with a {@code dataset.json}): each shard is checked against its own
 * dataset's root ({@link DatasetPaths#rootOf(Path, Path)}) and ids are unique within a dataset. A dataset without
 * records is valid, with a warning; a folder with neither shards nor a {@code dataset.json} is not a dataset.
 */
public final class DatasetValidator {
    /**
     * @param maxErrors    stop after this many problems (at least 1)
     * @param decodeImages decode every image (slow on big sets); false checks only that the files exist
     */
    public record Options(int maxErrors, boolean decodeImages, ImageDecoder.Options imageOptions) {
        public Options {
            ai.pulsemind.config.InvalidSetting.atLeast("maxErrors", maxErrors, 1);
            if (imageOptions == null) imageOptions = ImageDecoder.Options.DEFAULT;
        }

        public static Options defaults() { return new Options(100, true, ImageDecoder.Options.DEFAULT); }
    }

    /**
     * What a run saw: records read, records with at least one problem, problems, images, whether it stopped early,
     * how many datasets (roots) it checked, and warnings that do not make it invalid (a dataset without records).
     */
    public record Result(long records, long badRecords, long errors, long images, boolean stoppedEarly,
                         int datasets, List<String> warnings) {
        public Result { warnings = List.copyOf(warnings); }

        public boolean ok() { return errors == 0; }
    }

    private final Options opt;
    private final Consumer<DataError> sink;
    private final Progress progress;
    private IdIndex ids;
    private long records, bad, errors, images;
    private boolean stopped;

    private DatasetValidator(Options opt, Consumer<DataError> sink, Progress progress) {
        this.opt = opt;
        this.sink = sink;
        this.progress = progress;
    }

    public static Result validate(Path path, Options opt, Consumer<DataError> sink, Progress progress) throws IOException {
        DatasetValidator v = new DatasetValidator(opt, sink, progress);
        List<Path> shards = DatasetPaths.shards(path);
        Map<Path, Long> recordsByRoot = new TreeMap<>();
        for (Path d : DatasetPaths.datasetFolders(path)) recordsByRoot.put(d, 0L);
        if (shards.isEmpty() && recordsByRoot.isEmpty())
            v.report(new DataError(path.toString(), 0, "-", "not a dataset: no *.jsonl shards and no " + DatasetPaths.CARD));
        Map<Path, IdIndex> idsByRoot = new HashMap<>();
        for (int s = 0; s < shards.size() && !v.stopped; s++) {
            Path root = DatasetPaths.rootOf(shards.get(s), path);
            v.ids = idsByRoot.computeIfAbsent(root, r -> new IdIndex());
            long before = v.records;
            v.shard(root, shards.get(s), s);
            recordsByRoot.merge(root, v.records - before, Long::sum);
        }
        progress.finish();
        List<String> warnings = new ArrayList<>();
        if (!v.stopped)
            recordsByRoot.forEach((root, n) -> { if (n == 0) warnings.add(root + ": the dataset holds no records"); });
        return new Result(v.records, v.bad, v.errors, v.images, v.stopped, recordsByRoot.size(), warnings);
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
