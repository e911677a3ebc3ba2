package ai.pulsemind.model.io;

import ai.pulsemind.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The weights of a Hugging Face model directory: {@code model.safetensors}, or the shards listed by
 * {@code model.safetensors.index.json}. Every file is memory-mapped; tensors are views, never copies.
 */
public final class SafetensorsCheckpoint implements AutoCloseable {
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private final Path dir;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byName; // tensor name -> the file holding it

    private SafetensorsCheckpoint(Path dir, List<SafetensorsFile> files, Map<String, SafetensorsFile> byName) {
        this.dir = dir;
        this.files = files;
        this.byName = byName;
    }

    /** Opens the weights in {@code dir}: the index when present, else the single file. */
    public static SafetensorsCheckpoint open(Path dir) {
        Path index = dir.resolve(INDEX), single = dir.resolve(SINGLE);
        if (Files.exists(index)) return sharded(dir, index);
        if (Files.exists(single)) {
            SafetensorsFile f = SafetensorsFile.open(single);
            Map<String, SafetensorsFile> m = new LinkedHashMap<>();
            f.tensors().keySet().forEach(n -> m.put(n, f));
            return new SafetensorsCheckpoint(dir, List.of(f), m);
        }
        throw new CheckpointException(dir, "no " + SINGLE + " or " + INDEX + " (not a Hugging Face safetensors checkpoint)");
    }

    private static SafetensorsCheckpoint sharded(Path dir, Path index) {
        JsonFields j = new JsonFields(index);
        JsonNode map = j.readObject().get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) throw j.fail("missing or empty weight_map");
        Map<String, SafetensorsFile> open = new TreeMap<>();
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        try {
            for (var it = map.properties().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isTextual()) throw j.fail("weight_map." + e.getKey() + " must be a file name");
                String shard = e.getValue().textValue();
                Path p = dir.resolve(shard).normalize();
                if (!p.startsWith(dir.normalize())) throw j.fail("shard '" + shard + "' lies outside " + dir);
                if (!open.containsKey(shard)) {
                    if (!Files.exists(p)) throw j.fail("shard " + shard + " (holding " + e.getKey() + ") is missing");
                    open.put(shard, SafetensorsFile.open(p));
                }
                SafetensorsFile f = open.get(shard);
                if (!f.contains(e.getKey()))
                    throw new CheckpointException(p, "tensor " + e.getKey() + " is missing (" + INDEX + " places it here)");
                byName.put(e.getKey(), f);
            }
        } catch (RuntimeException e) {
            open.values().forEach(SafetensorsFile::close);
            throw e;
        }
        return new SafetensorsCheckpoint(dir, List.copyOf(open.values()), byName);
    }

    public Path dir() { return dir; }

    public List<SafetensorsFile> files() { return files; }

    public Set<String> names() { return byName.keySet(); }

    public boolean contains(String name) { return byName.containsKey(name); }

    /** The file holding {@code name}; a missing tensor is an error naming the checkpoint. */
    public SafetensorsFile fileOf(String name) {
        SafetensorsFile f = byName.get(name);
        if (f == null) throw new CheckpointException(files.size() == 1 ? files.getFirst().path() : dir.resolve(INDEX),
                "tensor " + name + " is missing");
        return f;
    }

    public TensorInfo info(String name) { return fileOf(name).info(name); }

    /** A view of the mapped tensor, no copy. */
    public Tensor tensor(String name) { return fileOf(name).tensor(name); }

    /** Total bytes of all tensors. */
    public long byteSize() {
        long n = 0;
        for (String name : byName.keySet()) n += info(name).byteSize();
        return n;
    }

    /** Unmaps every file. */
    @Override
    public void close() { files.forEach(SafetensorsFile::close); }

    /** Tensor names grouped by the file that holds them, for messages and tools. */
    public Map<Path, List<String>> layout() {
        Map<Path, List<String>> out = new LinkedHashMap<>();
        byName.forEach((n, f) -> out.computeIfAbsent(f.path(), k -> new ArrayList<>()).add(n));
        return out;
    }
}
