package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the part-2 launchers compute on the host, checked without a GPU: dynamic shared memory against the
 * {@code static_assert}s the kernels compile with, the split-K decode plan against tools/gpu-dev/ops.py's values,
 * the log-prob chunking against its memory budget, and the metadata cache that sends each attention spec's
 * cu_seqlens to the device once.
 */
class LaunchGeometryTest {
    private static Path kernels() {
        for (Path p : List.of(Path.of("../cuda-kernels"), Path.of("cuda-kernels")))
            if (Files.isDirectory(p)) return p;
        throw new AssertionError("cuda-kernels/ not found from " + Path.of("").toAbsolutePath());
    }

    @Test
    void sharedMemoryMatchesTheKernelsStaticAsserts() throws IOException {
        String src = Files.readString(kernels().resolve("flash_attention.cu"));
        Matcher m = Pattern.compile("static_assert\\((fwd|dq|dkdv)_smem_bytes<(\\d+), (\\d+)(?:, (\\d+))?>\\(\\) == (\\d+)").matcher(src);
        List<String> seen = new ArrayList<>();
        while (m.find()) {
            int d = Integer.parseInt(m.group(2)), warps = Integer.parseInt(m.group(3)), bytes = Integer.parseInt(m.group(5));
            int ours = switch (m.group(1)) {
                case "fwd" -> AttentionLaunch.fwdSmem(d, warps);
                case "dq" -> AttentionLaunch.dqSmem(d);
                default -> {
                    assertEquals(Integer.parseInt(m.group(4)), AttentionLaunch.dkdvBmq(d), "dk/dv query tile at D=" + d);
                    yield AttentionLaunch.dkdvSmem(d);
                }
            };
            assertEquals(bytes, ours, m.group(0));
            seen.add(m.group(1) + d + "x" + warps);
        }
        assertEquals(12, seen.size(), "fwd v2/v3, dq and dk/dv for D = 64, 80, 128: " + seen);
    }

    @Test
    void decodePlanIsOpsPys() {
        // (B, Hq, Hkv, L, SMs) -> (nsplit, chunk), from tools/gpu-dev/ops.py decode_plan
        int[][] cases = {{1, 16, 2, 4096, 132, 64, 64}, {32, 16, 2, 4096, 132, 5, 820}, {1, 16, 2, 32768, 132, 132, 249},
                {64, 32, 8, 100, 132, 1, 100}, {2, 4, 2, 40, 8, 1, 40}, {1, 8, 1, 150, 8, 3, 50}, {3, 4, 4, 0, 132, 1, 1},
                {5, 6, 2, 1, 132, 1, 1}};
        for (int[] c : cases) {
            int[] p = AttentionLaunch.decodePlan(c[0], c[1], c[2], c[3], c[4]);
            assertArrayEquals(new int[] {c[5], c[6]}, p, java.util.Arrays.toString(c));
            assertTrue((long) p[0] * p[1] >= c[3] && (long) (p[0] - 1) * p[1] < Math.max(1, c[3]), "covers L, no empty split");
        }
    }

    @Test
    void forwardVariantsFollowHeadDimAlignmentAndChoice() {
        assertEquals("v3", variant(AttentionKernels.AUTO, 128, true));
        assertEquals("v2", variant(AttentionKernels.AUTO, 64, true));
        assertEquals("v2", variant(AttentionKernels.AUTO, 80, true));
        assertEquals("v1", variant(AttentionKernels.AUTO, 16, true), "no tensor-core kernel for D = 16");
        assertEquals("v1", variant(AttentionKernels.AUTO, 128, false), "misaligned views take the scalar kernel");
        assertEquals("v1", variant(AttentionKernels.V1, 128, true));
        assertEquals("v2", variant(AttentionKernels.V2, 128, true));
        assertEquals("v3", variant(AttentionKernels.V3, 64, true));
    }

    private static String variant(AttentionKernels k, int d, boolean aligned) {
        AttentionLaunch l = new AttentionLaunch(null);
        l.use(k);
        return l.forwardVariant(d, aligned);
    }

    @Test
    void logprobChunksStayWithinTheScratchBudget() {
        assertEquals(6144, LogprobLaunch.chunk(8192, 151_936, 4, LogprobLaunch.SCRATCH_BYTES), "forward at the issue's shape");
        assertEquals(4096, LogprobLaunch.chunk(8192, 151_936, 6, LogprobLaunch.SCRATCH_BYTES), "backward: f32 Z and bf16 dZ");
        assertEquals(151_936, LogprobLaunch.chunk(1, 151_936, 4, LogprobLaunch.SCRATCH_BYTES), "one row: the whole vocabulary");
        assertEquals(128, LogprobLaunch.chunk(1 << 22, 151_936, 6, LogprobLaunch.SCRATCH_BYTES), "never under 128 columns");
        assertEquals(300, LogprobLaunch.chunk(64, 300, 4, LogprobLaunch.SCRATCH_BYTES), "never over V");
        for (int n : new int[] {1, 100, 8192, 65536}) {
            int c = LogprobLaunch.chunk(n, 151_936, 6, LogprobLaunch.SCRATCH_BYTES);
            assertTrue(c == 151_936 || c % 128 == 0, "aligned chunk " + c);
            assertTrue(c == 128 || (long) n * c * 6 <= LogprobLaunch.SCRATCH_BYTES, "within budget at N=" + n);
        }
        // the memory target: peak <= 1/8 of the bf16 logits (8192 x 151936 x 2 bytes)
        long logits = 8192L * 151_936 * 2, bwd = 8192L * 4096 * 6 + 8192L * 2048 * 4;
        assertTrue(bwd * 8 <= logits, "backward slabs + dH32: " + (bwd >> 20) + " MiB of " + (logits >> 20));
    }

    @Test
    void metadataIsUploadedOncePerDistinctKeyAndEvictedLeastRecentlyUsed() {
        MetadataCache<AttentionSpec> cache = new MetadataCache<>(2);
        List<Tensor> made = new ArrayList<>();
        java.util.function.Function<AttentionSpec, Tensor> upload = s -> {
            Tensor t = Tensor.ofInts(s.cuSeqlensQ(), s.cuSeqlensQ().length);
            made.add(t);
            return t;
        };
        AttentionSpec a = AttentionSpec.selfAttention(new int[] {3, 5}, true, 64), b = AttentionSpec.selfAttention(new int[] {7}, false, 64);
        Tensor ta = cache.get(a, upload);
        for (int layer = 0; layer < 28; layer++) assertSame(ta, cache.get(a, upload), "every layer reuses the spec's copy");
        assertSame(ta, cache.get(AttentionSpec.selfAttention(new int[] {3, 5}, true, 64), upload), "equal specs share it");
        assertEquals(1, cache.uploads());
        cache.get(b, upload);
        cache.get(a, upload); // a is now the most recent
        cache.get(AttentionSpec.selfAttention(new int[] {9}, false, 64), upload); // evicts b
        assertEquals(3, cache.uploads());
        assertTrue(made.get(1).isClosed(), "the evicted copy is freed");
        assertTrue(!ta.isClosed());
        cache.get(b, upload);
        assertEquals(4, cache.uploads(), "an evicted spec is uploaded again");
        cache.close();
        for (Tensor t : made) assertTrue(t.isClosed());
        assertThrows(IllegalArgumentException.class, () -> new MetadataCache<AttentionSpec>(0));
        assertEquals(new MetadataCache.Ints(new int[] {1, 2}), new MetadataCache.Ints(new int[] {1, 2}));
    }
}
