package ai.pulsemind.backend;

import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One backend's dtype rules: for every op, the dtypes each tensor argument may have, as one line of a table. The
 * backend checks its arguments against it ({@link OpChecks}), and so does any twin that imitates the backend on
 * another device (the CUDA backend's CPU twin in the tests). A new op or dtype is one entry.
 *
 * <p>An entry lists the op's tensor arguments in the order of its {@link Backend} method, each as
 * {@code name:ALT|ALT…}, optionally followed by {@code ?} (the argument may be null) or {@code !} (a mismatch is
 * explained by the entry's note). An alternative is
 * <ul>
 *   <li>a dtype: {@code F32}, {@code BF16}, {@code F16}, {@code I32}, {@code I64};</li>
 *   <li>{@code T}: the op's compute dtype, one of the table's {@link #computeDtypes()} and the same for every
 *       argument marked T;</li>
 *   <li>{@code F}: any of the compute dtypes, independently of the other arguments;</li>
 *   <li>{@code *}: any dtype; {@code =name}: the dtype of the argument {@code name}.</li>
 * </ul>
 * For example {@code rmsnorm: "x:T w:T out:T rstd:F32"}: x, w and out share a compute dtype, rstd is F32.
 *
 * <p>{@link #standard} is where every backend starts: the dtype half of the {@link Backend} contract, with T
 * ranging over the backend's compute dtypes. A backend then {@link #override}s what its kernels take differently
 * and adds its own ops with {@link #op}.
 */
public final class DtypeRules {
    private final String backend;
    private final Set<DType> compute;
    private final String computeReason;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** One argument: its name, its alternatives, whether it may be null, whether the entry's note explains it. */
    private record Arg(String name, List<String> alternatives, boolean optional, boolean noted) {}

    private record Entry(String op, List<Arg> args, String note) {}

    /**
     * @param backend       the backend's name, for messages
     * @param compute       the dtypes T and F range over
     * @param computeReason what a T or F argument of another dtype is told, e.g. "the CUDA backend computes on F32 or BF16"
     */
    public DtypeRules(String backend, Set<DType> compute, String computeReason) {
        this.backend = backend;
        this.compute = Set.copyOf(EnumSet.copyOf(compute));
        this.computeReason = computeReason;
    }

    /**
     * The rules of every {@link Backend} op, as a backend computing in {@code compute} starts from them: floating
     * operands in the op's compute dtype T; row statistics, rotary tables, sums, log-probs and log-sum-exps and
     * gradients that accumulate across steps in F32; ids in I32; memory ops on any dtype.
     */
    public static DtypeRules standard(String backend, Set<DType> compute, String computeReason) {
        return new DtypeRules(backend, compute, computeReason)
                .op("fill", "dst:*")
                .op("copy", "src:* dst:=src")
                .op("convert", "src:* dst:*")
                .op("matmul", "a:T b:T c:T")
                .op("add", "a:T b:T out:T")
                .op("mul", "a:T b:T out:T")
                .op("scale", "x:T out:T")
                .op("axpy", "x:F y:F")
                .op("sumRows", "x:T out:F32")
                .op("sum", "x:T out:F32")
                .op("argmax", "x:F32 out:I32")
                .op("sample", "logits:F32 prevIds:I32? out:I32")
                .op("silu", "x:T out:T")
                .op("siluBackward", "x:T dout:T dx:T")
                .op("gelu", "x:T out:T")
                .op("geluBackward", "x:T dout:T dx:T")
                .op("swiglu", "gate:T up:T out:T")
                .op("swigluBackward", "gate:T up:T dout:T dgate:T dup:T")
                .op("rmsnorm", "x:T w:T out:T rstd:F32")
                .op("rmsnormBackward", "x:T w:T rstd:F32 dout:T dx:T dw:F32?")
                .op("layernorm", "x:T w:T b:T out:T mean:F32 rstd:F32")
                .op("layernormBackward", "x:T w:T mean:F32 rstd:F32 dout:T dx:T dw:F32? db:F32?")
                .op("softmax", "x:T out:T")
                .op("softmaxBackward", "y:T dy:T dx:T")
                .op("ropeTable", "positions:I32 cos:F32 sin:F32")
                .op("rope", "x:T cos:F32 sin:F32 out:T")
                .op("ropeBackward", "dout:T cos:F32 sin:F32 dx:T")
                .op("attention", "q:T k:T v:T out:T lse:F32")
                .op("attentionBackward", "q:T k:T v:T out:T lse:F32 dout:T dq:T dk:T dv:T")
                .op("attentionDecode", "q:T kCache:T vCache:T out:T")
                .op("gatherRows", "table:* idx:I32 out:=table")
                .op("scatterAddRows", "src:T idx:I32 dst:F32")
                .op("logprob", "hidden:T weight:T targets:I32 logp:F32 lse:F32")
                .op("logprobBackward", "hidden:T weight:T targets:I32 lse:F32 dlogp:F32 dhidden:T dweight:F32?")
                .op("extractPatches", "frames:T patches:T")
                .op("foldPatches", "patches:T frames:T")
                .op("adamw", "param:F32 grad:F m:F32 v:F32 compute:BF16?");
    }

    /** Adds the rule of a new op; see the class comment for {@code spec}. Returns this table. */
    public DtypeRules op(String op, String spec) { return op(op, spec, null); }

    /** As {@link #op(String, String)}, with the note a mismatching {@code !} argument is told. */
    public DtypeRules op(String op, String spec, String note) { return put(op, spec, note, false); }

    /** Replaces the rule of an op this table has (a backend's kernels taking other dtypes than the standard). */
    public DtypeRules override(String op, String spec) { return override(op, spec, null); }

    /** As {@link #override(String, String)}, with a note. */
    public DtypeRules override(String op, String spec, String note) { return put(op, spec, note, true); }

    private DtypeRules put(String op, String spec, String note, boolean replace) {
        List<Arg> args = new ArrayList<>();
        for (String tok : spec.trim().split("\\s+")) {
            int colon = tok.indexOf(':');
            if (colon <= 0) throw new IllegalArgumentException(backend + " dtype rule " + op + ": '" + tok + "' is not name:dtypes");
            String name = tok.substring(0, colon), alts = tok.substring(colon + 1);
            boolean optional = alts.endsWith("?"), noted = alts.endsWith("!");
            if (optional || noted) alts = alts.substring(0, alts.length() - 1);
            args.add(new Arg(name, List.of(alts.split("\\|")), optional, noted));
        }
        for (Arg a : args) for (String alt : a.alternatives()) validate(op, alt, args);
        if (replace != entries.containsKey(op))
            throw new IllegalArgumentException(backend + " dtype rules: " + op + (replace ? " has no rule to override" : " is listed twice"));
        entries.put(op, new Entry(op, List.copyOf(args), note));
        return this;
    }

    private void validate(String op, String alt, List<Arg> args) {
        if (alt.equals("T") || alt.equals("F") || alt.equals("*")) return;
        if (alt.startsWith("=")) {
            String ref = alt.substring(1);
            if (args.stream().noneMatch(a -> a.name().equals(ref)))
                throw new IllegalArgumentException(backend + " dtype rule " + op + ": =" + ref + " names no argument");
            return;
        }
        DType.valueOf(alt); // an unknown dtype fails here, at class initialisation
    }

    /** The dtypes T and F range over. */
    public Set<DType> computeDtypes() { return compute; }

    /** The ops this table has a rule for, in the order they were added. */
    public Set<String> ops() { return entries.keySet(); }

    /** How many tensor arguments the rule of {@code op} lists. */
    public int arity(String op) { return entry(op).args().size(); }

    private Entry entry(String op) {
        Entry e = entries.get(op);
        if (e == null) throw new IllegalStateException(backend + " has no dtype rule for " + op);
        return e;
    }

    /**
     * Checks {@code args} (the op's tensor arguments in order, nulls included) against the rule of {@code op} and
     * returns the compute dtype T they bind (null when the rule has no T). Fails with the op's name and the tensor.
     */
    public DType check(String op, Tensor... args) {
        DType[] d = new DType[args.length];
        for (int i = 0; i < args.length; i++) d[i] = args[i] == null ? null : args[i].dtype();
        return bind(entry(op), d, args);
    }

    /**
     * Whether the rule of {@code op} accepts arguments of these dtypes (one per argument, null for an absent
     * optional one; arguments left off at the end count as absent): what the conformance tests ask before building
     * a case in a dtype.
     */
    public boolean accepts(String op, DType... dtypes) {
        Entry e = entry(op);
        if (dtypes.length > e.args().size()) return false;
        DType[] all = java.util.Arrays.copyOf(dtypes, e.args().size());
        try {
            bind(e, all, all);
            return true;
        } catch (IllegalArgumentException ex) {
            return false;
        }
    }

    /** {@code shown[i]} names argument i in messages (the tensor, or its dtype). */
    private DType bind(Entry e, DType[] d, Object[] shown) {
        if (d.length != e.args().size())
            throw new IllegalStateException(backend + " dtype rule " + e.op() + " lists " + e.args().size() + " tensors, got " + d.length);
        DType t = null;
        for (int i = 0; i < d.length; i++) {
            Arg a = e.args().get(i);
            if (d[i] == null) {
                if (!a.optional()) throw new IllegalArgumentException(e.op() + ": " + a.name() + " must not be null");
                continue;
            }
            t = bindArg(e, a, d[i], d, t, shown[i]);
        }
        return t;
    }

    private DType bindArg(Entry e, Arg a, DType d, DType[] all, DType t, Object shown) {
        boolean computeAlt = false;
        for (String alt : a.alternatives()) {
            switch (alt) {
                case "*" -> { return t; }
                case "T" -> {
                    computeAlt = true;
                    if (t != null && d == t) return t;
                    if (t == null && compute.contains(d)) return d;
                }
                case "F" -> {
                    computeAlt = true;
                    if (compute.contains(d)) return t;
                }
                default -> {
                    if (alt.startsWith("=")) {
                        DType other = all[index(e, alt.substring(1))];
                        if (other == null || other == d) return t;
                    } else if (DType.valueOf(alt) == d) {
                        return t;
                    }
                }
            }
        }
        throw new IllegalArgumentException(message(e, a, d, t, computeAlt, shown));
    }

    private String message(Entry e, Arg a, DType d, DType t, boolean computeAlt, Object shown) {
        String op = e.op();
        if (a.noted() && e.note() != null) return op + ": " + e.note() + ", got " + shown;
        if (computeAlt && t != null && a.alternatives().size() == 1 && compute.contains(d))
            return op + ": mixed dtypes " + t + " and " + d + " (" + shown + ")";
        if (computeAlt && a.alternatives().size() == 1) return op + ": " + computeReason + ", got " + shown;
        List<String> allowed = new ArrayList<>();
        for (String alt : a.alternatives()) {
            switch (alt) {
                case "T" -> allowed.add(t != null ? t + " (the op's compute dtype)" : "one of " + sorted(compute));
                case "F" -> allowed.add("one of " + sorted(compute));
                default -> allowed.add(alt.startsWith("=") ? "the dtype of " + alt.substring(1) : alt);
            }
        }
        return op + ": " + a.name() + " must be " + String.join(" or ", allowed) + " on the " + backend + " backend, got " + shown;
    }

    private static String sorted(Set<DType> s) { return Arrays.toString(s.stream().sorted().toArray()); }

    private static int index(Entry e, String name) {
        for (int i = 0; i < e.args().size(); i++) if (e.args().get(i).name().equals(name)) return i;
        throw new IllegalStateException(e.op() + ": no argument " + name);
    }

    /** The compute dtypes among those the op's first floating-capable argument may take, in F32, BF16 order. */
    public List<DType> floating(String op) {
        List<DType> out = new ArrayList<>();
        for (Arg a : entry(op).args()) {
            for (DType d : new DType[] {DType.F32, DType.BF16}) {
                if (!compute.contains(d)) continue;
                for (String alt : a.alternatives())
                    if (alt.equals("T") || alt.equals("F") || alt.equals("*") || alt.equals(d.name())) {
                        if (!out.contains(d)) out.add(d);
                    }
            }
            if (!out.isEmpty()) return out;
        }
        return out;
    }

    @Override public String toString() { return backend + " dtype rules (" + entries.size() + " ops)"; }
}
