package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.SampleRow;
import ai.pulsemind.tensor.Tensor;

import java.util.List;

import static ai.pulsemind.backend.cuda.LaunchContext.address;

/**
 * Launches of {@code sampling.cu}'s {@code pm_sample_f32}: {@link CudaBackend#sample} and, through its greedy path,
 * {@link CudaBackend#argmax} (NaN counts as −∞ there; the CPU reference compares raw floats, so the two differ only
 * on rows holding NaN). One block of 1024 threads per row; a row's previous ids are CSR offsets into prevIds,
 * (B+1) offsets r·P on the device once per (B, P); their bitmap takes 4·⌈V/32⌉ bytes of dynamic shared memory.
 */
final class SamplingLaunch implements AutoCloseable {
    private final LaunchContext cx;
    private final MetadataCache<MetadataCache.Ints> csrOffsets = new MetadataCache<>(8); // (B+1) I32 per (B, P)

    SamplingLaunch(LaunchContext cx) { this.cx = cx; }

    void sample(Tensor logits, List<SampleRow> rows, Tensor prevIds, Tensor out) {
        int[] d = cx.checks().sample(logits, rows, prevIds, out); // {B, V, P}
        if (d[0] == 0) return;
        boolean pen = prevIds != null && rows.stream().anyMatch(r -> r.params().repetitionPenalty() != 1f);
        long offsets = 0;
        if (pen) {
            Tensor csr = csrOffsets.get(new MetadataCache.Ints(new int[] {d[0], d[2]}), key -> {
                int b = key.values()[0], cols = key.values()[1];
                int[] o = new int[b + 1];
                for (int r = 0; r <= b; r++) o[r] = r * cols; // row r's ids: prevIds[r, 0:P)
                try (Tensor h = Tensor.ofInts(o, b + 1)) {
                    return cx.upload(h);
                }
            });
            offsets = address(csr);
        }
        // per-row parameters change every step (the step is in them): uploaded with the step, freed with it
        Tensor params;
        try (Tensor h = Tensor.ofInts(SampleRow.pack(rows), d[0] * SampleRow.WORDS)) {
            params = cx.upload(h);
        }
        launch(address(logits), d[1], d[1], offsets, pen ? address(prevIds) : 0, address(params), address(out), d[0]);
    }

    void argmax(Tensor x, Tensor out) {
        cx.checks().argmax(x, out);
        long rows = x.shape().rows();
        int cols = x.shape().last();
        if (rows == 0) return;
        launch(address(x), cols, cols, 0, 0, 0, address(out), (int) rows); // no row params: greedy, no penalty
    }

    private void launch(long logits, int ld, int vocab, long offsets, long prev, long rowParams, long ids, int rows) {
        int smem = prev != 0 ? 4 * (int) LaunchContext.cdiv(vocab, 32) : 0; // bitmap of the previous ids
        cx.kernel("pm_sample_f32").ptr(logits).i32(ld).i32(vocab).ptr(offsets).ptr(prev).ptr(rowParams).ptr(ids).ptr(0)
                .launch3d(rows, 1, 1, 1024, smem, cx.stream());
    }

    @Override
    public void close() { csrOffsets.close(); }
}
