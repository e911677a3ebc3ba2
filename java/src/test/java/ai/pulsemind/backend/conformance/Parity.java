package ai.pulsemind.backend.conformance;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The comparison of a backend's output with the reference's, and the record of every check: on a GPU run the
 * {@code gpu-parity-<date>-<card>.json} report ({@link #writeReport}), on every run the worst use of each
 * tolerance per target ({@link #calibration}), which is how the tolerance tables' "used" figures are measured.
 */
public final class Parity {
    /** The GPU run's record (the CUDA target writes here). */
    public static final Parity GPU = new Parity();
    /** Per "target key dtype": the largest share of its tolerance a check used, and that check's case. */
    private static final Map<String, Use> WORST = new TreeMap<>();

    private record Use(double used, String label) {}

    private final List<Map<String, Object>> rows = new ArrayList<>();
    private String device, cuda;

    /** Names the device the recorded checks ran on. */
    public synchronized void device(String name, String cudaVersion) {
        device = name;
        cuda = cudaVersion;
    }

    static double rms(float[] v) {
        double s = 0;
        int n = 0;
        for (float x : v) if (Float.isFinite(x)) { s += (double) x * x; n++; }
        return n == 0 ? 0 : Math.sqrt(s / n);
    }

    /** Compares; records in {@code into} (when given); fails with the max difference and the first mismatching index. */
    static void compare(Parity into, String target, String key, String label, DType dtype, Shape shape, float[] got, float[] ref,
                        Tolerances.Tol tol) {
        String what = target + ": " + key + (label == null ? "" : " [" + label + "]") + " " + dtype + " " + shape;
        if (got.length != ref.length) fail(what + ": " + got.length + " values vs " + ref.length);
        double maxErr = 0, worstUse = 0;
        int first = -1, worst = 0;
        for (int i = 0; i < got.length; i++) {
            boolean same = got[i] == ref[i] || (Float.isNaN(got[i]) && Float.isNaN(ref[i])); // equal infinities too
            double e = same ? 0 : Math.abs((double) got[i] - ref[i]);
            boolean bad = !same && (Double.isNaN(e) || !tol.ok(got[i], ref[i]));
            if (Double.isNaN(e)) e = Double.POSITIVE_INFINITY;
            if (e > maxErr) {
                maxErr = e;
                worst = i;
            }
            if (!same) worstUse = Math.max(worstUse, e / (tol.atol() + tol.rtol() * Math.abs(ref[i])));
            if (bad && first < 0) first = i;
        }
        boolean pass = first < 0;
        synchronized (WORST) {
            WORST.merge(target + " " + key + " " + dtype, new Use(worstUse, label), (a, b) -> a.used() >= b.used() ? a : b);
        }
        if (into != null) into.record(key, label, dtype, shape, maxErr, tol, pass);
        if (!pass)
            fail(what + ": first mismatch at " + first + " (got " + got[first] + ", ref " + ref[first] + "), max |diff| "
                    + maxErr + " at " + worst + " (got " + got[worst] + ", ref " + ref[worst] + "); tolerance atol "
                    + tol.atol() + " + rtol " + tol.rtol() + "·|ref|");
    }

    private synchronized void record(String key, String label, DType dtype, Shape shape, double maxErr, Tolerances.Tol tol, boolean pass) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("op", key);
        if (label != null) row.put("case", label);
        row.put("dtype", dtype.name());
        row.put("shape", shape.toString());
        row.put("max_err", Double.isInfinite(maxErr) ? "NaN or infinite mismatch" : maxErr);
        row.put("tol", Map.of("atol", tol.atol(), "rtol", tol.rtol()));
        row.put("pass", pass);
        rows.add(row);
    }

    /**
     * The checks of {@code target} that used most of their tolerance, "key dtype used" with used = the worst
     * |x − ref| / (atol + rtol·|ref|) seen: how the tolerance tables' figures are measured.
     */
    public static String calibration(String target, int top) {
        List<Map.Entry<String, Use>> mine = new ArrayList<>();
        synchronized (WORST) {
            for (Map.Entry<String, Use> e : WORST.entrySet())
                if (e.getKey().startsWith(target + " ")) mine.add(Map.entry(e.getKey().substring(target.length() + 1), e.getValue()));
        }
        mine.sort((x, y) -> Double.compare(y.getValue().used(), x.getValue().used()));
        StringBuilder b = new StringBuilder("[conformance] " + target + ", tolerance used (the largest of " + mine.size() + " keys):");
        for (Map.Entry<String, Use> e : mine.subList(0, Math.min(top, mine.size())))
            b.append(String.format("%n  %-36s %.2f  %s", e.getKey(), e.getValue().used(), e.getValue().label()));
        return b.toString();
    }

    /**
     * Writes the recorded checks as JSON ({"device", "driver", "cuda", "ops": [...]}) to
     * {@code $PULSEMIND_PARITY_FILE}, else {@code target/gpu-parity.json}; nothing when no check was recorded.
     */
    public void writeReport() {
        List<Map<String, Object>> copy;
        synchronized (this) {
            if (rows.isEmpty()) return;
            copy = new ArrayList<>(rows);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("device", device);
        doc.put("driver", driverVersion());
        doc.put("cuda", cuda);
        doc.put("ops", copy);
        String target = System.getenv().getOrDefault("PULSEMIND_PARITY_FILE", "target/gpu-parity.json");
        try {
            Path p = Path.of(target);
            if (p.getParent() != null) Files.createDirectories(p.getParent());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(p.toFile(), doc);
            long passed = copy.stream().filter(r -> Boolean.TRUE.equals(r.get("pass"))).count();
            System.out.println("[gpu] parity: " + passed + "/" + copy.size() + " checks passed on " + device + " -> " + p);
        } catch (IOException e) {
            System.out.println("[gpu] cannot write the parity report " + target + ": " + e.getMessage());
        }
    }

    /** The NVIDIA kernel module's version (e.g. 580.95.05), or "unknown". */
    private static String driverVersion() {
        try {
            String v = Files.readString(Path.of("/proc/driver/nvidia/version"));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Kernel Module\\s+(?:for \\S+\\s+)?([0-9.]+)").matcher(v);
            return m.find() ? m.group(1) : v.lines().findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
