package ai.pulsemind.model.io;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * One safetensors file, memory-mapped read-only. Tensors are views of the mapping ({@link Tensor#wrap}): loading
 * copies nothing, and pages are read from disk only when touched. The mapping lives until {@link #close()}; a tensor
 * used after that fails with an error instead of reading freed memory.
 */
public final class SafetensorsFile implements AutoCloseable {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapped;
    private final SafetensorsHeader header;

    private SafetensorsFile(Path path, Arena arena, MemorySegment mapped, SafetensorsHeader header) {
        this.path = path;
        this.arena = arena;
        this.mapped = mapped;
        this.header = header;
    }

    /** Maps and validates {@code path}; any problem is a {@link CheckpointException} naming the file. */
    public static SafetensorsFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8)
                throw new CheckpointException(path, "truncated: " + size + " bytes, but a safetensors file starts with an "
                        + "8-byte header length");
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long n = SafetensorsHeader.checkLength(path, seg.get(U64, 0), size);
            byte[] json = seg.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
            return new SafetensorsFile(path, arena, seg, SafetensorsHeader.parse(path, json, size));
        } catch (NoSuchFileException e) {
            arena.close();
            throw new CheckpointException(path, "file not found");
        } catch (IOException e) {
            arena.close();
            throw new CheckpointException(path, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() { return path; }

    public SafetensorsHeader header() { return header; }

    /** Tensor entries by name, in header order. */
    public Map<String, TensorInfo> tensors() { return header.tensors(); }

    public Map<String, String> metadata() { return header.metadata(); }

    public boolean contains(String name) { return header.tensors().containsKey(name); }

    public TensorInfo info(String name) {
        TensorInfo t = header.tensors().get(name);
        if (t == null) throw new CheckpointException(path, "tensor " + name + " is missing");
        return t;
    }

    /** The raw little-endian bytes of a tensor of any dtype (a view of the mapping). */
    public MemorySegment bytes(String name) {
        TensorInfo t = info(name);
        return mapped.asSlice(header.dataStart() + t.begin(), t.byteSize());
    }

    /** A tensor viewing the mapped bytes (F32, BF16, F16, I32 or I64); no copy is made. */
    public Tensor tensor(String name) {
        TensorInfo t = info(name);
        DType d = t.tensorDType();
        if (d == null)
            throw new CheckpointException(path, "tensor " + name + " has dtype " + t.dtype()
                    + ", which the engine does not compute with (F32, BF16, F16, I32, I64); read its bytes instead");
        return Tensor.wrap(bytes(name), d, t.tensorShape()).named(name);
    }

    /** Unmaps the file; tensors obtained from it must not be used afterwards. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }

    @Override
    public String toString() { return "SafetensorsFile[" + path + ", " + header.tensors().size() + " tensors]"; }
}
