package ai.pulsemind.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The kernels this build ships: {@code index.txt} beside the fatbins (written by {@code cmake/kernel-index.sh}),
 * one line per fatbin, {@code "<module> <kernel> <kernel> ..."}, after {@code #} header lines naming the compiler.
 * Absent when the jar was built without nvcc.
 */
record KernelIndex(Map<String, String> moduleOf, String compiler) {
    static final String DIR = "/ai/pulsemind/backend/cuda/kernels/";

    /** The index on the class path, or null when this build has no CUDA kernels. */
    static KernelIndex load() {
        try (InputStream in = KernelIndex.class.getResourceAsStream(DIR + "index.txt")) {
            return in == null ? null : parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CudaException("cannot read the kernel index " + DIR + "index.txt: " + e.getMessage());
        }
    }

    static KernelIndex parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        String compiler = "unknown compiler";
        int lineNo = 0;
        for (String line : text.split("\n")) {
            lineNo++;
            String t = line.strip();
            if (t.isEmpty()) continue;
            if (t.startsWith("#")) {
                if (t.startsWith("# nvcc")) compiler = t.substring(2);
                continue;
            }
            String[] parts = t.split("\\s+");
            if (parts.length < 2)
                throw new CudaException("kernel index line " + lineNo + ": module '" + parts[0] + "' lists no kernels");
            for (int i = 1; i < parts.length; i++) {
                String prev = m.put(parts[i], parts[0]);
                if (prev != null)
                    throw new CudaException("kernel index line " + lineNo + ": kernel " + parts[i] + " is in both "
                            + prev + " and " + parts[0]);
            }
        }
        return new KernelIndex(Collections.unmodifiableMap(m), compiler);
    }

    long modules() { return moduleOf.values().stream().distinct().count(); }

    @Override public String toString() { return moduleOf.size() + " kernels in " + modules() + " fatbins (" + compiler + ")"; }
}
