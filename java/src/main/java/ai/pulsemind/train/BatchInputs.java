package ai.pulsemind.train;

import ai.pulsemind.data.EncodedImage;
import ai.pulsemind.data.batch.Batch;
import ai.pulsemind.data.batch.LoaderConfig;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A packed {@link Batch} as the model's sequences: each sample's ids and its images as (patches, patchDim) tensors. */
final class BatchInputs {
    private BatchInputs() {}

    static List<Qwen25VL.Sequence> sequences(Batch b) {
        if (b.layout() != LoaderConfig.Layout.PACKED) throw new IllegalArgumentException("training batches must be PACKED");
        List<Qwen25VL.Sequence> out = new ArrayList<>(b.size());
        int image = 0;
        for (int s = 0; s < b.size(); s++) {
            int[] ids = Arrays.copyOfRange(b.tokens(), b.cuSeqlens()[s], b.cuSeqlens()[s + 1]);
            List<Qwen25VL.Image> ims = new ArrayList<>();
            for (int k = 0; k < b.imageCounts()[s]; k++) {
                EncodedImage e = b.images().get(image++);
                ims.add(new Qwen25VL.Image(Tensor.of(e.pixels(), e.patches(), e.patchDim()), new int[] {e.gridT(), e.gridH(), e.gridW()}));
            }
            out.add(new Qwen25VL.Sequence(ids, ims));
        }
        return out;
    }
}
