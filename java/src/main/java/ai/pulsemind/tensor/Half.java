package ai.pulsemind.tensor;

/** bfloat16 conversions (IEEE binary16 is {@link Float#float16ToFloat}). */
public final class Half {
    private Half() {}

    public static float bf16ToFloat(short bits) { return Float.intBitsToFloat((bits & 0xffff) << 16); }

    /** Round to nearest, ties to even, as PyTorch and CUDA's __float2bfloat16 do; NaN stays a quiet NaN. */
    public static short floatToBf16(float f) {
        int x = Float.floatToRawIntBits(f);
        if ((x & 0x7fffffff) > 0x7f800000) return (short) ((x >>> 16) | 0x0040);
        int rounding = 0x7fff + ((x >>> 16) & 1);
        return (short) ((x + rounding) >>> 16);
    }
}
