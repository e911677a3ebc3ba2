package ai.pulsemind.tensor;

/** Allocator bookkeeping in bytes: handed out now, held from the system (in use + cached), and the peak in use. */
public record MemoryStats(long inUse, long reserved, long peak) {
    @Override
    public String toString() {
        return String.format("in use %s, reserved %s, peak %s", human(inUse), human(reserved), human(peak));
    }

    public static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }
}
