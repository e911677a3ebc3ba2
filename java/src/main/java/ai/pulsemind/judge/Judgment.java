package ai.pulsemind.judge;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The verdicts on one pair, after position debiasing and (for a jury) the majority vote, with everything that led
 * to them kept: each order's raw verdicts, each jury member's judgment, or the reason it failed.
 *
 * <p>Orders: {@code forward} showed {@code a} first; {@code swapped} showed {@code b} first, and its raw verdicts are
 * as the judge gave them (its "A" is the original {@code b}). When both orders were asked, a dimension on which
 * they disagree (after mapping the swapped one back) is a tie.
 *
 * @param id         the request's id
 * @param judge      the judge's (or jury's) name
 * @param verdicts   per dimension, in the original positions; empty when failed
 * @param rationales per dimension; empty when failed
 * @param forward    the a-first order, or null for a jury or when failed before asking
 * @param swapped    the b-first order, or null in single-order mode, for a jury, or when failed before asking
 * @param members    a jury's members' judgments, in member order; empty for a single judge
 * @param error      why it failed, or null
 */
public record Judgment(String id, String judge, Map<Dimension, Verdict> verdicts, Map<Dimension, String> rationales,
                       Order forward, Order swapped, List<Judgment> members, String error) {
    /**
     * One presentation order.
     *
     * @param raw    the verdicts as given (positions as presented), or null when failed
     * @param error  why it failed, or null
     * @param cached whether they came from the verdict cache
     */
    public record Order(Verdicts raw, String error, boolean cached) {
        public Order {
            if ((raw == null) == (error == null)) throw new IllegalArgumentException("an order has verdicts or an error, not both or neither");
        }

        public boolean ok() { return raw != null; }
    }

    public Judgment {
        verdicts = Collections.unmodifiableMap(verdicts.isEmpty() ? new EnumMap<>(Dimension.class) : new EnumMap<>(verdicts));
        rationales = Collections.unmodifiableMap(rationales.isEmpty() ? new EnumMap<>(Dimension.class) : new EnumMap<>(rationales));
        members = List.copyOf(members);
        if (error == null && verdicts.size() != Dimension.values().length)
            throw new IllegalArgumentException(id + ": a judgment without an error needs all four verdicts");
    }

    public boolean ok() { return error == null; }

    public Verdict verdict(Dimension d) { return verdicts.get(d); }

    /** Whether both orders answered and disagreed on {@code d} (the position flip the debiasing turns into a tie). */
    public boolean flipped(Dimension d) {
        return forward != null && swapped != null && forward.ok() && swapped.ok()
                && forward.raw().get(d) != swapped.raw().get(d).flip();
    }

    /** Whether nothing of it needed a judge call (every order of every member came from the cache). */
    public boolean cached() {
        if (!members.isEmpty()) return members.stream().allMatch(Judgment::cached);
        return forward != null && forward.cached() && (swapped == null || swapped.cached());
    }

    /** A single judge's judgment from its orders; {@code swapped} null in single-order mode. */
    public static Judgment ofOrders(String id, String judge, Order forward, Order swapped) {
        if (!forward.ok()) return new Judgment(id, judge, Map.of(), Map.of(), forward, swapped, List.of(),
                (swapped == null ? "" : "a-first order: ") + forward.error());
        if (swapped != null && !swapped.ok())
            return new Judgment(id, judge, Map.of(), Map.of(), forward, swapped, List.of(), "b-first order: " + swapped.error());
        EnumMap<Dimension, Verdict> v = new EnumMap<>(Dimension.class);
        EnumMap<Dimension, String> r = new EnumMap<>(Dimension.class);
        Verdicts back = swapped == null ? null : swapped.raw().flip();
        for (Dimension d : Dimension.values()) {
            Verdict f = forward.raw().get(d);
            if (back == null || back.get(d) == f) {
                v.put(d, f);
                r.put(d, forward.raw().rationale(d));
            } else {
                v.put(d, Verdict.TIE);
                r.put(d, "the orders disagree (a first: " + f.json() + ", b first: " + back.get(d).json() + "); " + forward.raw().rationale(d));
            }
        }
        return new Judgment(id, judge, v, r, forward, swapped, List.of(), null);
    }

    public static Judgment failed(String id, String judge, String error) {
        return new Judgment(id, judge, Map.of(), Map.of(), null, null, List.of(), error);
    }
}
