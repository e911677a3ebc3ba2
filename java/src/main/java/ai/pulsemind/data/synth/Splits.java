package ai.pulsemind.data.synth;

import java.nio.charset.StandardCharsets;

/**
 * Train/val/test by case template, not by case: every case made from one template (condition, complaint
 * wording, opening style) lands in the same split, whatever the seed, so a test case never shares its template
 * with a training case. Fractions: 80 / 10 / 10 of templates.
 */
public final class Splits {
    private Splits() {}

    public static String of(String template) {
        double u = unit(template);
        return u < 0.8 ? "train" : u < 0.9 ? "val" : "test";
    }

    /** A stable uniform number in [0, 1) from a string (FNV-1a then a SplitMix64 finaliser). */
    static double unit(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) { h ^= b & 0xFF; h *= 0x100000001b3L; }
        h ^= h >>> 33; h *= 0xff51afd7ed558ccdL; h ^= h >>> 33; h *= 0xc4ceb9fe1a85ec53L; h ^= h >>> 33;
        return (h >>> 11) * 0x1.0p-53;
    }
}
