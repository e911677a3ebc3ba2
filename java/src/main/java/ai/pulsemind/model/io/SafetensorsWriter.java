package ai.pulsemind.model.io;

import ai.pulsemind.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a safetensors file: tensors in the order added, the header padded with spaces so the data section starts
 * 8-byte aligned (as the reference implementation does). The file is written beside its target, forced to disk and
 * renamed into place, so a reader never sees half a checkpoint.
 */
public final class SafetensorsWriter {
    private static final long CHUNK = 1L << 30;

    private record Entry(String name, String dtype, List<Long> shape, MemorySegment bytes) {}

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** Adds a contiguous host tensor under {@code name}. */
    public SafetensorsWriter add(String name, Tensor t) {
        if (!t.isContiguous()) throw new IllegalArgumentException("tensor " + name + " is not contiguous: " + t);
        List<Long> shape = new ArrayList<>();
        for (int d : t.shape().toArray()) shape.add((long) d);
        return addRaw(name, t.dtype().safetensorsName(), shape, t.segment());
    }

    /** Adds little-endian bytes of any safetensors dtype (U8 images, F64 statistics, ...). */
    public SafetensorsWriter addRaw(String name, String dtype, List<Long> shape, MemorySegment bytes) {
        if (name.equals("__metadata__")) throw new IllegalArgumentException("'__metadata__' is reserved");
        if (entries.containsKey(name)) throw new IllegalArgumentException("tensor " + name + " added twice");
        int size = SafetensorsHeader.elementSize(dtype);
        if (size < 0) throw new IllegalArgumentException("unsupported dtype '" + dtype + "'");
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        if (n * size != bytes.byteSize())
            throw new IllegalArgumentException("tensor " + name + ": " + dtype + " × " + shape + " needs " + n * size
                    + " bytes, got " + bytes.byteSize());
        entries.put(name, new Entry(name, dtype, List.copyOf(shape), bytes));
        return this;
    }

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** The header bytes (length prefix excluded), padded to a multiple of 8. */
    byte[] headerBytes() {
        var root = JsonFields.MAPPER.createObjectNode();
        if (!metadata.isEmpty()) {
            var m = root.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long at = 0;
        for (Entry e : entries.values()) {
            var o = root.putObject(e.name);
            o.put("dtype", e.dtype);
            var s = o.putArray("shape");
            e.shape.forEach(s::add);
            var off = o.putArray("data_offsets");
            off.add(at);
            off.add(at + e.bytes.byteSize());
            at += e.bytes.byteSize();
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        java.util.Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** Writes the file atomically (temp file, fsync, rename). */
    public void write(Path target) {
        Path abs = target.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        try {
            Files.createDirectories(abs.getParent());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                byte[] header = headerBytes();
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(header));
                for (Entry e : entries.values())
                    for (long off = 0; off < e.bytes.byteSize(); off += CHUNK) // a ByteBuffer holds < 2 GiB
                        writeFully(ch, e.bytes.asSlice(off, Math.min(CHUNK, e.bytes.byteSize() - off)).asByteBuffer());
                ch.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error is the one worth reporting
            }
            throw new CheckpointException(abs, "cannot write: " + e.getMessage(), e);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}
