package ai.pulsemind.model.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed, validated header of a safetensors file.
 *
 * <p>Format: 8 bytes little-endian u64 N, then N bytes of UTF-8 JSON
 * {@code {"__metadata__": {str: str}, "<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}},
 * then the data section; offsets are relative to its start. Validation follows the reference implementation: the
 * header fits in the file and under {@link #MAX_HEADER_BYTES}; each entry's dtype is known and its byte length is
 * dtype size × element count; entries tile the data section exactly (no overlap, no hole, nothing after).
 */
public record SafetensorsHeader(Map<String, TensorInfo> tensors, Map<String, String> metadata, long dataStart,
                                long dataLength) {
    /** The limit the reference implementation enforces, so a corrupt length cannot make us read gigabytes of JSON. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    public SafetensorsHeader {
        tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Map.copyOf(metadata);
    }

    /** Bytes per element of every byte-addressable safetensors dtype; sub-byte ones (F4, F6_*) are not supported. */
    static int elementSize(String dtype) {
        return switch (dtype) {
            case "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0" -> 1;
            case "I16", "U16", "F16", "BF16" -> 2;
            case "I32", "U32", "F32" -> 4;
            case "I64", "U64", "F64", "C64" -> 8;
            default -> -1;
        };
    }

    /** Validates the 8-byte length against the file size; returns the header's byte length. */
    static long checkLength(Path file, long headerLength, long fileSize) {
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES)
            throw new CheckpointException(file, "header length " + Long.toUnsignedString(headerLength)
                    + " is outside [2, " + MAX_HEADER_BYTES + "] bytes: not a safetensors file, or corrupt");
        if (8 + headerLength > fileSize)
            throw new CheckpointException(file, "truncated header: it claims " + headerLength + " bytes but only "
                    + (fileSize - 8) + " follow the 8-byte length");
        return headerLength;
    }

    /** Parses and validates the JSON header of a file of {@code fileSize} bytes. */
    static SafetensorsHeader parse(Path file, byte[] json, long fileSize) {
        JsonNode root;
        try {
            root = JsonFields.MAPPER.readTree(new String(json, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file, "header: " + ai.pulsemind.data.Json.describe(e));
        }
        if (root == null || !root.isObject()) throw new CheckpointException(file, "header is not a JSON object");
        long dataStart = 8 + json.length, dataLength = fileSize - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (var it = root.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equals("__metadata__")) readMetadata(file, e.getValue(), metadata);
            else tensors.put(e.getKey(), entry(file, e.getKey(), e.getValue(), dataLength));
        }
        checkTiling(file, tensors, dataLength);
        return new SafetensorsHeader(tensors, metadata, dataStart, dataLength);
    }

    private static void readMetadata(Path file, JsonNode m, Map<String, String> out) {
        if (!m.isObject()) throw new CheckpointException(file, "__metadata__ must be an object of strings");
        m.properties().forEach(e -> {
            if (!e.getValue().isTextual())
                throw new CheckpointException(file, "__metadata__." + e.getKey() + " must be a string, got " + e.getValue());
            out.put(e.getKey(), e.getValue().textValue());
        });
    }

    private static TensorInfo entry(Path file, String name, JsonNode n, long dataLength) {
        String where = "tensor " + name + ": ";
        if (!n.isObject()) throw new CheckpointException(file, where + "entry must be an object, got " + n);
        JsonNode dt = n.get("dtype"), sh = n.get("shape"), off = n.get("data_offsets");
        if (dt == null || !dt.isTextual()) throw new CheckpointException(file, where + "missing or non-string dtype");
        int size = elementSize(dt.textValue());
        if (size < 0) throw new CheckpointException(file, where + "unsupported dtype '" + dt.textValue() + "'");
        if (sh == null || !sh.isArray()) throw new CheckpointException(file, where + "missing shape");
        List<Long> shape = new ArrayList<>();
        for (JsonNode d : sh) {
            if (!d.isIntegralNumber() || d.longValue() < 0 || d.longValue() > Integer.MAX_VALUE)
                throw new CheckpointException(file, where + "bad dimension " + d + " in shape " + sh);
            shape.add(d.longValue());
        }
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber())
            throw new CheckpointException(file, where + "data_offsets must be [begin, end], got " + off);
        long begin = off.get(0).longValue(), end = off.get(1).longValue();
        if (begin < 0 || end < begin || end > dataLength)
            throw new CheckpointException(file, where + "data_offsets [" + begin + ", " + end + "] lie outside the "
                    + dataLength + "-byte data section (file truncated?)");
        TensorInfo info = new TensorInfo(name, dt.textValue(), shape, begin, end);
        long expect;
        try {
            expect = Math.multiplyExact(info.numel(), size);
        } catch (ArithmeticException e) {
            throw new CheckpointException(file, where + "shape " + shape + " overflows");
        }
        if (expect != info.byteSize())
            throw new CheckpointException(file, where + "dtype " + dt.textValue() + " × shape " + shape + " = " + expect
                    + " bytes, but data_offsets [" + begin + ", " + end + "] span " + info.byteSize());
        return info;
    }

    private static void checkTiling(Path file, Map<String, TensorInfo> tensors, long dataLength) {
        List<TensorInfo> byOffset = new ArrayList<>(tensors.values());
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long at = 0;
        String prev = null;
        for (TensorInfo t : byOffset) {
            if (t.begin() < at)
                throw new CheckpointException(file, "tensor " + t.name() + ": data_offsets [" + t.begin() + ", " + t.end()
                        + "] overlap tensor " + prev + ", which ends at " + at);
            if (t.begin() > at)
                throw new CheckpointException(file, "tensor " + t.name() + " starts at data byte " + t.begin()
                        + " but the previous tensor ends at " + at + ": unindexed gap");
            at = t.end();
            prev = t.name();
        }
        if (at != dataLength)
            throw new CheckpointException(file, "data section holds " + dataLength + " bytes but the tensors cover "
                    + at + (at < dataLength ? " (trailing bytes)" : ""));
    }
}
