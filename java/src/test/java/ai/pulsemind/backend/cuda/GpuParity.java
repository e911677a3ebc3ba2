package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Device;
import ai.pulsemind.tensor.Half;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The GPU parity harness: inputs made on the host (rounded to the GPU dtype, so both sides see the same
 * values), the CPU {@link ReferenceBackend} as the oracle, outputs poisoned with NaN before each GPU run (so an
 * unwritten element fails), comparison with {@link GpuTolerances}, and a record of every check for the
 * {@code gpu-parity-<date>-<card>.json} report.
 */
final class GpuParity {
    static final ReferenceBackend REF = new ReferenceBackend();
    private static final List<Map<String, Object>> ROWS = new ArrayList<>();
    private static String device, cuda;

    private GpuParity() {}

    /**
     * True on tools/gpu-dev/java_emu.py's emulated device (the real launchers and kernel sources on the CPU, one
     * fiber per CUDA thread): tests then keep to their small cases, which still take every code path.
     */
    static boolean emulated(CudaBackend be) { return be.info().name().contains("CPU emulator"); }

    static CudaBackend open() {
        CudaBackend be = (CudaBackend) new CudaBackendProvider().open(Device.cuda(0), 1);
        synchronized (ROWS) {
            device = be.info().name();
            cuda = be.info().driverCuda();
        }
        return be;
    }

    /** Uniform in [lo, hi), as F32 on the host, rounded to what {@code dtype} can hold. */
    static Tensor rand(Random rnd, DType dtype, float lo, float hi, int... dims) {
        Shape s = Shape.of(dims);
        float[] v = new float[Math.toIntExact(s.numel())];
        for (int i = 0; i < v.length; i++) {
            float x = lo + (hi - lo) * rnd.nextFloat();
            v[i] = dtype == DType.BF16 ? Half.bf16ToFloat(Half.floatToBf16(x)) : x;
        }
        return Tensor.of(v, dims);
    }

    /** A device tensor of {@code dtype} holding {@code hostF32}'s values. */
    static Tensor up(CudaBackend be, Tensor hostF32, DType dtype) {
        if (dtype == DType.F32 || hostF32.dtype() == dtype) return be.upload(hostF32);
        try (Tensor h = Tensor.hostEmpty(dtype, hostF32.shape())) {
            REF.convert(hostF32, h);
            return be.upload(h);
        }
    }

    /** A device tensor filled with NaN (floats) or -7 (integers): unwritten elements show. */
    static Tensor poisoned(CudaBackend be, DType dtype, int... dims) {
        Tensor t = be.empty(dtype, Shape.of(dims));
        be.fill(t, dtype.isFloating() ? Float.NaN : -7f);
        return t;
    }

    static float[] down(CudaBackend be, Tensor dev) {
        try (Tensor h = Tensor.hostEmpty(dev.dtype(), dev.shape())) {
            be.copy(dev, h);
            return h.toFloatArray();
        }
    }

    /** Compares and records; fails with the max difference and the first mismatching index. */
    static void check(String op, DType dtype, Shape shape, float[] got, float[] ref) { check(op, null, dtype, shape, got, ref); }

    /** As {@link #check(String, DType, Shape, float[], float[])}, naming the case (recorded as "case"). */
    static void check(String op, String label, DType dtype, Shape shape, float[] got, float[] ref) {
        GpuTolerances.Tol tol = GpuTolerances.of(op, dtype).resolved(rms(ref));
        if (got.length != ref.length) fail(op + " " + dtype + shape + ": " + got.length + " values vs " + ref.length);
        double maxErr = 0;
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
            if (bad && first < 0) first = i;
        }
        boolean pass = first < 0;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("op", op);
        if (label != null) row.put("case", label);
        row.put("dtype", dtype.name());
        row.put("shape", shape.toString());
        row.put("max_err", Double.isInfinite(maxErr) ? "NaN or infinite mismatch" : maxErr);
        row.put("tol", Map.of("atol", tol.atol(), "rtol", tol.rtol()));
        row.put("pass", pass);
        synchronized (ROWS) {
            ROWS.add(row);
        }
        if (!pass)
            fail(op + (label == null ? "" : " [" + label + "]") + " " + dtype + " " + shape + ": first mismatch at " + first + " (gpu " + got[first] + ", ref " + ref[first]
                    + "), max |diff| " + maxErr + " at " + worst + " (gpu " + got[worst] + ", ref " + ref[worst]
                    + "); tolerance atol " + tol.atol() + " + rtol " + tol.rtol() + "·|ref|");
    }

    static double rms(float[] v) {
        double s = 0;
        int n = 0;
        for (float x : v) if (Float.isFinite(x)) { s += (double) x * x; n++; }
        return n == 0 ? 0 : Math.sqrt(s / n);
    }

    static void check(String op, CudaBackend be, Tensor gpu, Tensor refHost) {
        check(op, gpu.dtype(), gpu.shape(), down(be, gpu), refHost.toFloatArray());
    }

    /**
     * Writes the recorded checks as JSON ({"device", "driver", "cuda", "ops": [...]}) to
     * {@code $PULSEMIND_PARITY_FILE}, else {@code target/gpu-parity.json}; nothing when no GPU test ran.
     */
    static void writeReport() {
        List<Map<String, Object>> rows;
        synchronized (ROWS) {
            if (ROWS.isEmpty()) return;
            rows = new ArrayList<>(ROWS);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("device", device);
        doc.put("driver", driverVersion());
        doc.put("cuda", cuda);
        doc.put("ops", rows);
        String target = System.getenv().getOrDefault("PULSEMIND_PARITY_FILE", "target/gpu-parity.json");
        try {
            Path p = Path.of(target);
            if (p.getParent() != null) Files.createDirectories(p.getParent());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(p.toFile(), doc);
            long passed = rows.stream().filter(r -> Boolean.TRUE.equals(r.get("pass"))).count();
            System.out.println("[gpu] parity: " + passed + "/" + rows.size() + " checks passed on " + device + " -> " + p);
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
