package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.AttentionSpec;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.RopeSpec;
import ai.pulsemind.model.io.VisionConfig;
import ai.pulsemind.nn.ForwardMode;
import ai.pulsemind.nn.Linear;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Qwen2.5-VL's vision encoder: patch embed (the Conv3d as a GEMM over flattened patches), blocks of RMSNorm →
 * windowed or full attention with 2-D rotary → RMSNorm → gated SiLU MLP with bias, and the patch merger
 * (RMSNorm, 2×2 neighbour concat, Linear–GELU–Linear) into the text model's width.
 */
public final class VisionTower {
    private static final float EPS = 1e-6f;
    private static final double THETA = 10000.0;

    private final VisionConfig dims;
    private final Tensor patchEmbed;        // (C, in·tp·p·p)
    private final List<Block> blocks = new ArrayList<>();
    private final Tensor mergerNorm;        // (C)
    private final Linear merger1, merger2;  // (4C → 4C), (4C → out)

    record Block(Tensor norm1, Linear qkv, Linear proj, Tensor norm2, Linear gate, Linear up, Linear down) {
        /** The projections by their Hugging Face module names, in module order. */
        java.util.Map<String, Linear> linears() {
            var m = new java.util.LinkedHashMap<String, Linear>();
            m.put("attn.qkv", qkv);
            m.put("attn.proj", proj);
            m.put("mlp.gate_proj", gate);
            m.put("mlp.up_proj", up);
            m.put("mlp.down_proj", down);
            return m;
        }
    }

    VisionTower(VisionConfig d, Weights w) {
        this.dims = d;
        int c = d.hiddenSize(), f = d.intermediateSize(), u = d.mergedDim();
        patchEmbed = w.take("visual.patch_embed.proj.weight", c, d.patchDim());
        for (int i = 0; i < d.depth(); i++) {
            String p = "visual.blocks." + i + ".";
            blocks.add(new Block(w.take(p + "norm1.weight", c),
                    new Linear(w.takeLinear(p + "attn.qkv.weight", 3 * c, c), w.take(p + "attn.qkv.bias", 3 * c)),
                    new Linear(w.takeLinear(p + "attn.proj.weight", c, c), w.take(p + "attn.proj.bias", c)),
                    w.take(p + "norm2.weight", c),
                    new Linear(w.takeLinear(p + "mlp.gate_proj.weight", f, c), w.take(p + "mlp.gate_proj.bias", f)),
                    new Linear(w.takeLinear(p + "mlp.up_proj.weight", f, c), w.take(p + "mlp.up_proj.bias", f)),
                    new Linear(w.takeLinear(p + "mlp.down_proj.weight", c, f), w.take(p + "mlp.down_proj.bias", c))));
        }
        mergerNorm = w.take("visual.merger.ln_q.weight", c);
        merger1 = new Linear(w.takeLinear("visual.merger.mlp.0.weight", u, u), w.take("visual.merger.mlp.0.bias", u));
        merger2 = new Linear(w.takeLinear("visual.merger.mlp.2.weight", d.outHiddenSize(), u), w.take("visual.merger.mlp.2.bias", d.outHiddenSize()));
    }

    public VisionConfig config() { return dims; }

    List<Block> blocks() { return blocks; }

    /** Every projection of the tower by its Hugging Face module name ({@code visual.blocks.0.attn.qkv}, …, {@code visual.merger.mlp.2}). */
    public java.util.Map<String, Linear> linears() {
        var m = new java.util.LinkedHashMap<String, Linear>();
        for (int i = 0; i < blocks.size(); i++) {
            int bi = i;
            blocks.get(i).linears().forEach((k, v) -> m.put("visual.blocks." + bi + "." + k, v));
        }
        m.put("visual.merger.mlp.0", merger1);
        m.put("visual.merger.mlp.2", merger2);
        return m;
    }

    /**
     * @param pixels (P, in·tp·p·p) flattened patches in Qwen's order (the image processor's pixel_values), on the
     *               host or the backend's device, in any floating dtype (they are taken into the compute dtype)
     * @param grids  (t, h, w) per image
     * @return (P/m², out) one embedding per merged unit, in the images' original order
     */
    public Tensor forward(Ops ops, Tensor pixels, List<int[]> grids) { return forward(ops, pixels, grids, ForwardMode.INFERENCE); }

    /** As {@link #forward(Ops, Tensor, List)}; {@code mode} says whether adapters on the tower's layers apply. */
    public Tensor forward(Ops ops, Tensor pixels, List<int[]> grids, ForwardMode mode) {
        Backend be = ops.backend();
        VisionLayout layout = VisionLayout.of(grids, dims);
        int n = layout.patches(), heads = dims.numHeads(), hd = dims.headDim();
        if (pixels.dim(0) != n)
            throw new IllegalArgumentException("vision: pixel_values has " + pixels.dim(0) + " patches but the grids need " + n);
        Tensor x = ops.linear(Qwen25VL.input(be, pixels), patchEmbed, null); // (P, C)
        x = ops.gatherRows(x, Qwen25VL.upload(be, Tensor.ofInts(layout.patchOrder(), n)));   // windowed order
        Tensor cos = be.empty(DType.F32, Shape.of(n, hd / 2)), sin = be.empty(DType.F32, Shape.of(n, hd / 2));
        be.ropeTable(RopeSpec.vision2d(hd, THETA), Qwen25VL.upload(be, Tensor.ofInts(layout.positions(), 2, n)), cos, sin);
        AttentionSpec full = new AttentionSpec(layout.cuFull(), layout.cuFull(), false, (float) (1 / Math.sqrt(hd)));
        AttentionSpec window = new AttentionSpec(layout.cuWindow(), layout.cuWindow(), false, (float) (1 / Math.sqrt(hd)));
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            Tensor h = ops.rmsnorm(x, b.norm1(), EPS);
            Tensor qkv = b.qkv().forward(ops, h, mode);                           // (P, 3C): [q | k | v], heads inside each
            int c = dims.hiddenSize();
            Tensor q = ops.rope(ops.narrow(qkv, 1, 0, c).reshape(n, heads, hd), cos, sin);
            Tensor k = ops.rope(ops.narrow(qkv, 1, c, c).reshape(n, heads, hd), cos, sin);
            Tensor v = ops.narrow(qkv, 1, 2 * c, c).reshape(n, heads, hd);
            Tensor a = ops.attention(q, k, v, dims.isFullAttention(i) ? full : window).reshape(n, c);
            x = ops.add(x, b.proj().forward(ops, a, mode));
            Tensor m = ops.rmsnorm(x, b.norm2(), EPS);
            x = ops.add(x, b.down().forward(ops, ops.swiglu(b.gate().forward(ops, m, mode), b.up().forward(ops, m, mode)), mode));
        }
        int unit = dims.spatialMergeSize() * dims.spatialMergeSize();
        Tensor merged = ops.rmsnorm(x, mergerNorm, EPS).reshape(n / unit, dims.mergedDim());
        merged = merger2.forward(ops, ops.gelu(merger1.forward(ops, merged, mode), false), mode);   // (P/m², out)
        return ops.gatherRows(merged, Qwen25VL.upload(be, Tensor.ofInts(layout.unitRestore(), n / unit)));
    }
}
