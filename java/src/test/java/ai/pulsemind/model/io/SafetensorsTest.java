package ai.pulsemind.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir Path tmp;

    private static Tensor filled(DType dtype, int... dims) {
        Tensor t = Tensor.hostEmpty(dtype, Shape.of(dims));
        for (int i = 0; i < t.numel(); i++) t.setFloat(i, (i * 37 % 101) * 0.25f - 7f);
        return t;
    }

    @Test
    void roundTripsEveryDtypeAndMetadataWithoutCopying() throws IOException {
        Path p = tmp.resolve("w.safetensors");
        Tensor f32 = filled(DType.F32, 3, 5), bf16 = filled(DType.BF16, 2, 3, 4), f16 = filled(DType.F16, 7);
        Tensor i32 = filled(DType.I32, 4), i64 = filled(DType.I64, 2, 2), scalar = filled(DType.F32);
        byte[] u8 = {0, 1, (byte) 200, (byte) 255, 17, 3};
        new SafetensorsWriter().metadata("format", "pt").add("a.f32", f32).add("b.bf16", bf16).add("c.f16", f16)
                .add("d.i32", i32).add("e.i64", i64).add("f.scalar", scalar)
                .addRaw("g.u8", "U8", List.of(2L, 3L), MemorySegment.ofArray(u8))
                .addRaw("h.empty", "F32", List.of(0L, 4L), MemorySegment.ofArray(new byte[0]))
                .write(p);
        assertTrue(Files.size(p) > 8);
        assertEquals(0, readHeaderLength(p) % 8); // the data section starts 8-byte aligned
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(java.util.Map.of("format", "pt"), f.metadata());
            assertEquals(List.of("a.f32", "b.bf16", "c.f16", "d.i32", "e.i64", "f.scalar", "g.u8", "h.empty"),
                    List.copyOf(f.tensors().keySet()));
            for (Tensor t : new Tensor[] {f32, bf16, f16, i32, i64, scalar}) {
                String name = switch (t.dtype()) {
                    case F32 -> t.rank() == 0 ? "f.scalar" : "a.f32";
                    case BF16 -> "b.bf16";
                    case F16 -> "c.f16";
                    case I32 -> "d.i32";
                    case I64 -> "e.i64";
                };
                Tensor back = f.tensor(name);
                assertEquals(t.dtype(), back.dtype(), name);
                assertEquals(t.shape(), back.shape(), name);
                assertArrayEquals(t.toFloatArray(), back.toFloatArray(), name);
            }
            assertArrayEquals(u8, f.bytes("g.u8").toArray(ValueLayout.JAVA_BYTE));
            assertEquals(Shape.of(0, 4), f.tensor("h.empty").shape());
            // A view of the mapping: same address as the raw bytes, and no allocator block behind it.
            assertEquals(f.bytes("a.f32").address(), f.tensor("a.f32").segment().address());
            var u8err = assertThrows(CheckpointException.class, () -> f.tensor("g.u8"));
            assertTrue(u8err.getMessage().contains("dtype U8"), u8err.getMessage());
            var missing = assertThrows(CheckpointException.class, () -> f.tensor("zzz"));
            assertEquals(p + ": tensor zzz is missing", missing.getMessage());
        }
    }

    @Test
    void tensorsDieWithTheMapping() {
        Path p = tmp.resolve("x.safetensors");
        new SafetensorsWriter().add("x", filled(DType.F32, 4)).write(p);
        SafetensorsFile f = SafetensorsFile.open(p);
        Tensor x = f.tensor("x");
        f.close();
        assertThrows(IllegalStateException.class, () -> x.getFloat(0));
        f.close(); // idempotent
    }

    @Test
    void writerRefusesInconsistentInput() {
        var w = new SafetensorsWriter().add("a", filled(DType.F32, 2));
        assertThrows(IllegalArgumentException.class, () -> w.add("a", filled(DType.F32, 2)));
        assertThrows(IllegalArgumentException.class,
                () -> w.addRaw("b", "F32", List.of(3L), MemorySegment.ofArray(new byte[8])));
        assertThrows(IllegalArgumentException.class,
                () -> w.addRaw("c", "F4", List.of(2L), MemorySegment.ofArray(new byte[1])));
        assertThrows(IllegalArgumentException.class, () -> w.add("t", filled(DType.F32, 2, 3).transpose(0, 1)));
    }

    // ------------------------------------------------------------------ malformed files: one line naming file and problem

    private static long readHeaderLength(Path p) throws IOException {
        byte[] b = Files.readAllBytes(p);
        return ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** A file with the given 8-byte length field, header text and data bytes. */
    private Path raw(String name, long headerLength, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(h);
        Path p = tmp.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private Path file(String name, String header, int dataBytes) throws IOException {
        return raw(name, header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    private void expect(Path p, String fragment) {
        var e = assertThrows(CheckpointException.class, () -> SafetensorsFile.open(p).close());
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals(p, e.file());
    }

    @Test
    void truncatedBeforeTheLength() throws IOException {
        Path p = tmp.resolve("short.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        expect(p, "truncated: 3 bytes");
    }

    @Test
    void oversizedHeaderLength() throws IOException {
        expect(raw("huge.safetensors", 200_000_000L, "{}", 0), "header length 200000000 is outside");
        expect(raw("negative.safetensors", -1L, "{}", 0), "header length 18446744073709551615 is outside");
    }

    @Test
    void headerLongerThanTheFile() throws IOException {
        expect(raw("cut.safetensors", 500, "{\"a\": 1}", 0), "truncated header: it claims 500 bytes but only 8 follow");
    }

    @Test
    void headerNotJsonOrNotAnObject() throws IOException {
        expect(file("bad.safetensors", "{\"x\": {\"dtype\": ", 0), "header: malformed JSON at line 1, column 17: the text ends in the middle of a value (truncated?)");
        expect(file("arr.safetensors", "[1, 2]", 0), "header is not a JSON object");
    }

    @Test
    void entryProblems() throws IOException {
        expect(file("dtype.safetensors", "{\"x\": {\"dtype\": \"Q7\", \"shape\": [1], \"data_offsets\": [0, 1]}}", 1),
                "tensor x: unsupported dtype 'Q7'");
        expect(file("shape.safetensors", "{\"x\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4),
                "tensor x: bad dimension -1");
        expect(file("offs.safetensors", "{\"x\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}", 4),
                "tensor x: data_offsets must be [begin, end]");
        expect(file("outside.safetensors", "{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 4),
                "tensor x: data_offsets [0, 8] lie outside the 4-byte data section");
        expect(file("size.safetensors", "{\"x\": {\"dtype\": \"BF16\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8),
                "tensor x: dtype BF16 × shape [3] = 6 bytes, but data_offsets [0, 8] span 8");
        expect(file("meta.safetensors", "{\"__metadata__\": {\"k\": 3}}", 0), "__metadata__.k must be a string");
    }

    @Test
    void entriesMustTileTheDataSection() throws IOException {
        expect(file("overlap.safetensors", "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                + " \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8),
                "tensor b: data_offsets [4, 8] overlap tensor a, which ends at 8");
        expect(file("gap.safetensors", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8),
                "tensor a starts at data byte 4 but the previous tensor ends at 0");
        expect(file("trailing.safetensors", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 12),
                "data section holds 12 bytes but the tensors cover 4 (trailing bytes)");
    }

    @Test
    void missingFile() {
        expect(tmp.resolve("absent.safetensors"), "file not found");
    }
}
