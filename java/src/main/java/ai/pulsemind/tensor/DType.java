package ai.pulsemind.tensor;

/** Element types a {@link Tensor} can hold. The CPU backend computes in F32; BF16/F16 are storage types there. */
public enum DType {
    F32(4, true, "F32"),
    BF16(2, true, "BF16"),
    F16(2, true, "F16"),
    I32(4, false, "I32"),
    I64(8, false, "I64");

    private final int byteSize;
    private final boolean floating;
    private final String safetensorsName;

    DType(int byteSize, boolean floating, String safetensorsName) {
        this.byteSize = byteSize;
        this.floating = floating;
        this.safetensorsName = safetensorsName;
    }

    public int byteSize() { return byteSize; }

    public boolean isFloating() { return floating; }

    /** The dtype string used in safetensors headers ("F32", "BF16", ...). */
    public String safetensorsName() { return safetensorsName; }

    /** Parses a safetensors dtype string; unknown names throw with the list of supported ones. */
    public static DType fromSafetensors(String name) {
        for (DType d : values()) if (d.safetensorsName.equals(name)) return d;
        throw new IllegalArgumentException("unsupported dtype '" + name + "' (supported: F32, BF16, F16, I32, I64)");
    }
}
