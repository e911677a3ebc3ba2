package ai.pulsemind.cli;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.BackendProvider;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Device;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import jdk.incubator.vector.FloatVector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code pulsemind doctor}: what this machine offers PulseMind — JDK, CPU and SIMD, memory, backends and why not. */
@Command(mixinStandardHelpOptions = true, name = "doctor", description = "Report the JDK, CPU/SIMD, memory and which backends can run here (and why not).")
public final class DoctorCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        Map<String, Object> r = report();
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(r));
        } else {
            print(r, "");
        }
        return 0;
    }

    static Map<String, Object> report() {
        Map<String, Object> r = new LinkedHashMap<>();
        Map<String, Object> jdk = new LinkedHashMap<>();
        jdk.put("version", Runtime.version().toString());
        jdk.put("vendor", System.getProperty("java.vendor"));
        jdk.put("home", System.getProperty("java.home"));
        r.put("jdk", jdk);

        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("model", cpuInfo("model name"));
        cpu.put("cores", Runtime.getRuntime().availableProcessors());
        cpu.put("vector_bits", FloatVector.SPECIES_PREFERRED.vectorBitSize());
        cpu.put("f32_lanes", FloatVector.SPECIES_PREFERRED.length());
        cpu.put("simd_flags", simdFlags());
        r.put("cpu", cpu);

        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("total_bytes", memTotal());
        mem.put("jvm_max_heap_bytes", Runtime.getRuntime().maxMemory());
        r.put("memory", mem);

        List<Map<String, Object>> backends = new ArrayList<>();
        for (BackendProvider p : Backends.providers()) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("name", p.name());
            BackendProvider.Availability a;
            try {
                a = p.probe();
            } catch (RuntimeException | LinkageError e) {
                a = BackendProvider.Availability.no("probe failed: " + e);
            }
            b.put("available", a.available());
            b.put("detail", a.detail());
            if (a.available() && !p.name().startsWith("cpu")) b.put("check", deviceCheck(p));
            backends.add(b);
        }
        if (backends.stream().noneMatch(b -> b.get("name").equals("cuda"))) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("name", "cuda");
            b.put("available", false);
            b.put("detail", "the CUDA backend is not in this build");
            backends.add(b);
        }
        r.put("backends", backends);
        return r;
    }

    /** Opens a device backend, sums 2^20 ones on it and reports the result with its allocator's statistics. */
    private static String deviceCheck(BackendProvider p) {
        int n = 1 << 20;
        try (Backend be = p.open(Device.parse(p.name()), 1); Tensor x = be.empty(DType.F32, Shape.of(n));
             Tensor s = be.empty(DType.F32, Shape.of(1)); Tensor h = Tensor.hostEmpty(DType.F32, Shape.of(1))) {
            be.fill(x, 1f);
            be.sum(x, s);
            be.copy(s, h);
            return (h.item() == n ? "ok" : "WRONG (" + h.item() + ")") + ": fill + sum of 2^20 ones; memory " + be.memoryStats();
        } catch (RuntimeException e) {
            return "failed: " + e.getMessage();
        }
    }

    private static String cpuInfo(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (line.startsWith(key)) return line.substring(line.indexOf(':') + 1).trim();
        } catch (IOException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }

    private static List<String> simdFlags() {
        List<String> out = new ArrayList<>();
        String flags = " " + cpuInfo("flags") + " ";
        for (String f : new String[] {"avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_bf16", "avx512_fp16", "amx_tile", "asimd", "sve"})
            if (flags.contains(" " + f + " ")) out.add(f);
        return out;
    }

    private static long memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo")))
                if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
        } catch (IOException | NumberFormatException e) {
            // unknown
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    private static void print(Map<String, Object> m, String indent) {
        for (var e : m.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Map<?, ?> sub) {
                System.out.println(indent + e.getKey() + ":");
                print((Map<String, Object>) sub, indent + "  ");
            } else if (v instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map) {
                System.out.println(indent + e.getKey() + ":");
                for (Object o : list) {
                    Map<String, Object> b = (Map<String, Object>) o;
                    System.out.printf("%s  %-14s %-4s %s%n", indent, b.get("name"),
                            Boolean.TRUE.equals(b.get("available")) ? "yes" : "no", b.get("detail"));
                    if (b.containsKey("check")) System.out.printf("%s  %-14s      check: %s%n", indent, "", b.get("check"));
                }
            } else if (e.getKey().endsWith("_bytes") && v instanceof Long n) {
                System.out.println(indent + e.getKey() + ": " + ai.pulsemind.tensor.MemoryStats.human(n));
            } else {
                System.out.println(indent + e.getKey() + ": " + v);
            }
        }
    }
}
