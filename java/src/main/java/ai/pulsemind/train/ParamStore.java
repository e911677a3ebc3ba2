package ai.pulsemind.train;

import ai.pulsemind.backend.AdamWParams;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The trainable parameters and their optimiser state. Per parameter:
 * <ul>
 *   <li>{@code compute}: the tensor the model reads (its dtype is the backend's compute dtype: F32 on the CPU,
 *       BF16 on CUDA); it is the autograd leaf;</li>
 *   <li>{@code master}: F32 weights the optimiser updates; the compute tensor itself when that is F32, else a copy
 *       that {@link Backend#adamw} rounds back into {@code compute} after each step;</li>
 *   <li>{@code grad}: F32, installed as the leaf's gradient, so autograd accumulates into it in F32 whatever the
 *       compute dtype, over every micro-batch of a step;</li>
 *   <li>{@code m}, {@code v}: the AdamW moments, F32.</li>
 * </ul>
 * Everything lives outside any allocation scope until {@link #close()}. Order is registration order, so
 * checkpoints and reductions (the gradient norm) run the same way every time.
 */
public final class ParamStore implements AutoCloseable {
    /** One trainable parameter. {@code decay}: whether weight decay applies (not to biases and norm weights). */
    public record Entry(String name, Tensor compute, Tensor master, Tensor grad, Tensor m, Tensor v, boolean decay) {
        /** True when the master is a separate F32 copy of a lower-precision compute tensor. */
        public boolean hasCopy() { return master != compute; }
    }

    private final Backend be;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private ParamStore(Backend be) { this.be = be; }

    /**
     * Takes the tensors to train (leaves on {@code be}); marks them as requiring grad and allocates their state.
     *
     * @param decay which names get weight decay
     */
    public static ParamStore of(Backend be, Map<String, Tensor> params, Predicate<String> decay) {
        ParamStore s = new ParamStore(be);
        AllocationScope.outside(() -> {
            params.forEach((name, t) -> s.add(name, t, decay.test(name) && t.rank() >= 2));
            return null;
        });
        return s;
    }

    /** The usual exclusions: biases and norm weights (rank-1 tensors) never decay; everything else does. */
    public static boolean defaultDecay(String name) {
        return !(name.endsWith(".bias") || name.contains("norm") || name.contains("ln_q"));
    }

    private void add(String name, Tensor t, boolean decay) {
        if (!t.dtype().isFloating()) throw new IllegalArgumentException("parameter " + name + " is " + t.dtype() + ", not floating");
        if (t.dtype() != DType.F32 && t.dtype() != DType.BF16)
            throw new IllegalArgumentException("parameter " + name + " is " + t.dtype() + ": compute copies are F32 or BF16");
        Tensor master = t;
        if (t.dtype() != DType.F32) {
            master = be.empty(DType.F32, t.shape());
            be.convert(t, master);
        }
        Tensor grad = be.zeros(DType.F32, t.shape());
        t.zeroGrad();
        t.requiresGrad(true);
        t.setGrad(grad);
        entries.put(name, new Entry(name, t, master, grad, be.zeros(DType.F32, t.shape()), be.zeros(DType.F32, t.shape()), decay));
    }

    public Backend backend() { return be; }

    public List<Entry> entries() { return List.copyOf(entries.values()); }

    public Map<String, Entry> byName() { return Collections.unmodifiableMap(entries); }

    public Entry get(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException("no trainable parameter '" + name + "'");
        return e;
    }

    /** Number of trainable values. */
    public long count() { return entries.values().stream().mapToLong(e -> e.master().numel()).sum(); }

    /** Zeroes every gradient (kept allocated and installed on its leaf). */
    public void zeroGrad() {
        for (Entry e : entries.values()) {
            be.fill(e.grad(), 0f);
            if (e.compute().grad() != e.grad()) e.compute().setGrad(e.grad()); // a caller cleared it: put it back
        }
    }

    /** √(Σ g²) over every gradient, summed per parameter on the device and over parameters in order on the host. */
    public double gradNorm() {
        double total = 0;
        try (var scope = AllocationScope.open()) {
            List<Tensor> sums = new ArrayList<>();
            for (Entry e : entries.values()) {
                Tensor sq = be.empty(DType.F32, e.grad().shape());
                be.mul(e.grad(), e.grad(), sq);
                Tensor s = be.empty(DType.F32, Shape.of(1));
                be.sum(sq, s);
                sq.close();
                sums.add(s);
            }
            for (Tensor s : sums) total += host(s);
        }
        return Math.sqrt(total);
    }

    private float host(Tensor s) {
        if (s.device().isHost()) return s.item();
        Tensor h = Tensor.hostEmpty(DType.F32, s.shape());
        be.copy(s, h);
        return h.item();
    }

    /**
     * One AdamW step over every parameter: {@code gradScale} multiplies the gradients first (clipping), decay only
     * where {@link Entry#decay()}; the compute copies are refreshed from the masters.
     *
     * @param step 1-based optimiser step (bias correction)
     */
    public void adamw(AdamW opt, float lr, float gradScale, int step) {
        for (Entry e : entries.values()) {
            AdamWParams hp = new AdamWParams(lr, opt.beta1(), opt.beta2(), opt.eps(), e.decay() ? opt.weightDecay() : 0f, step, gradScale);
            be.adamw(e.master(), e.grad(), e.m(), e.v(), hp, e.hasCopy() ? e.compute() : null);
        }
    }

    /** Writes new master values (F32, any device) into a parameter and its compute copy (e.g. on resume). */
    public void set(String name, Tensor valuesF32) {
        Entry e = get(name);
        if (!valuesF32.shape().equals(e.master().shape()))
            throw new IllegalArgumentException(name + ": shape " + valuesF32.shape() + " does not match " + e.master().shape());
        be.copy(valuesF32, e.master());
        if (e.hasCopy()) be.convert(e.master(), e.compute());
    }

    /** AdamW's fixed hyper-parameters (the learning rate comes from the schedule each step). */
    public record AdamW(float beta1, float beta2, float eps, float weightDecay) {
        public AdamW {
            new AdamWParams(0f, beta1, beta2, eps, weightDecay, 1); // same checks as the op's
        }
    }

    @Override
    public void close() {
        for (Entry e : entries.values()) {
            e.compute().setGrad(null);
            e.grad().close();
            e.m().close();
            e.v().close();
            if (e.hasCopy()) e.master().close();
        }
        entries.clear();
    }
}
