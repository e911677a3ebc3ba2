package ai.pulsemind.autograd;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.GradNode;
import ai.pulsemind.tensor.Storage;
import ai.pulsemind.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backward pass: walks the nodes reachable from the root in reverse topological order (Kahn's algorithm,
 * so a node runs only after every consumer of its output has delivered its gradient), and accumulates into
 * {@link Tensor#grad()} of leaves that require grad (an F32 tensor, allocated on first use unless the owner of the
 * leaf set one, as a parameter store does).
 *
 * <p>The order is a deterministic function of the graph, so repeated runs sum gradients in the same order.
 */
public final class Autograd {
    private Autograd() {}

    /** Backward from a one-element root (a loss) with seed 1. */
    public static void backward(Backend be, Tensor root) {
        if (root.numel() != 1)
            throw new IllegalArgumentException("backward: root " + root + " is not a scalar; pass a seed gradient");
        Tensor seed = be.empty(root.dtype(), root.shape());
        be.fill(seed, 1f);
        backward(be, root, seed);
    }

    /** Backward from {@code root} with gradient {@code seed} (same shape; the engine closes it). */
    public static void backward(Backend be, Tensor root, Tensor seed) {
        if (!root.shape().equals(seed.shape()))
            throw new IllegalArgumentException("backward: seed " + seed.shape() + " does not match root " + root.shape());
        if (!root.requiresGrad()) throw new IllegalStateException("backward: " + root + " does not require grad (no tape recorded)");
        try (var g = GradMode.disabled()) {
            if (root.gradFn() == null) {
                accumulateLeaf(be, root, seed);
                seed.close();
                return;
            }
            run(be, root.gradFn(), seed);
        }
    }

    private static void run(Backend be, GradNode rootNode, Tensor seed) {
        Map<GradNode, Integer> consumers = countConsumers(rootNode);
        Map<GradNode, Tensor> pending = new IdentityHashMap<>();
        List<Tensor> deferred = new ArrayList<>(); // gradients that a view still reads; closed at the end
        // storages handed on as they are (add's backward gives its gOut to both inputs): several producers may hold
        // them pending, so none of them may close it early
        java.util.Set<Storage> shared = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        pending.put(rootNode, seed);
        ArrayDeque<GradNode> ready = new ArrayDeque<>();
        ready.push(rootNode);
        while (!ready.isEmpty()) {
            GradNode node = ready.pop();
            Tensor gOut = pending.remove(node);
            Tensor[] inputs = node.inputs();
            Tensor[] grads = node.backward(gOut);
            node.release();
            boolean viewed = false;
            for (int i = 0; i < inputs.length; i++) {
                Tensor in = inputs[i], g = grads[i];
                if (in == null || g == null || !in.requiresGrad()) {
                    if (g != null && g != gOut && g.storage() != gOut.storage()) g.close();
                    continue;
                }
                if (!g.shape().equals(in.shape()))
                    throw new IllegalStateException("backward of " + node.name() + " returned a gradient of shape "
                            + g.shape() + " for input " + in);
                if (g.storage() == gOut.storage()) {
                    viewed = true;
                    shared.add(g.storage());
                }
                GradNode producer = in.gradFn();
                if (producer == null) {
                    accumulateLeaf(be, in, g);
                    if (g.storage() != gOut.storage()) g.close();
                } else {
                    Tensor prev = pending.get(producer);
                    if (prev == null) pending.put(producer, g);
                    else pending.put(producer, sum(be, prev, g, gOut, shared));
                    if (consumers.merge(producer, -1, Integer::sum) == 0) ready.push(producer);
                }
            }
            if (viewed || shared.contains(gOut.storage())) deferred.add(gOut);
            else gOut.close();
        }
        deferred.forEach(Tensor::close);
    }

    /** prev + g into fresh memory, closing whichever addend the engine owns. */
    private static Tensor sum(Backend be, Tensor prev, Tensor g, Tensor gOut, java.util.Set<Storage> shared) {
        Tensor s = be.empty(prev.dtype(), prev.shape());
        be.add(prev, g, s);
        if (prev.storage() != gOut.storage() && !shared.contains(prev.storage())) prev.close();
        if (g.storage() != gOut.storage() && !shared.contains(g.storage())) g.close();
        return s;
    }

    private static void accumulateLeaf(Backend be, Tensor leaf, Tensor g) {
        // a parameter's gradient outlives the step's allocation scope: it accumulates over micro-batches, in F32
        // whatever the parameter's dtype (a bf16 weight's gradient would lose the small updates of later ones)
        if (leaf.grad() == null) leaf.setGrad(AllocationScope.outside(() -> be.zeros(DType.F32, leaf.shape())));
        be.axpy(1f, g, leaf.grad());
    }

    /** For every node reachable from the root: how many reachable nodes consume its output. */
    private static Map<GradNode, Integer> countConsumers(GradNode root) {
        Map<GradNode, Integer> count = new IdentityHashMap<>();
        ArrayDeque<GradNode> stack = new ArrayDeque<>();
        count.put(root, 0);
        stack.push(root);
        while (!stack.isEmpty()) {
            GradNode n = stack.pop();
            for (Tensor in : n.inputs()) {
                if (in == null || in.gradFn() == null || !in.requiresGrad()) continue;
                GradNode p = in.gradFn();
                Integer c = count.get(p);
                if (c == null) stack.push(p);
                count.put(p, c == null ? 1 : c + 1);
            }
        }
        return count;
    }
}
