package ai.pulsemind.crpo;

import ai.pulsemind.data.Counterpart;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Role;
import ai.pulsemind.data.Turn;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The places where the policy speaks: (record, doctor turn i), the prefix being turns [0, i). A counterpart's reply
 * at that point is its turn i when its transcript shares the record's first i turns (same speakers, same words): the
 * counterpart then answered exactly the consultation the policy sees. (Counterparts take their own paths after a
 * different question, since the patient answers what each doctor asked, so later turns match only some of them;
 * the first doctor turn follows the shared opening and always matches.) In comparison mode a prefix needs at least
 * one matching counterpart; intra-group mode takes every doctor turn.
 *
 * <p>Batches: epoch e visits every prefix once in an order shuffled by (seed, e); batch k takes the next B, so the
 * k-th batch is a function of (seed, k) alone and a resumed run draws the batches an uninterrupted one would.
 */
public final class Prefixes {
    /** One prefix and the counterpart replies that answer it. */
    public record Prefix(MediRecord record, int turn, List<Rewards.Opponent> counterparts) {
        public String id() { return record.id() + "/t" + turn; }
    }

    private final List<Prefix> all;
    private final long seed;

    private Prefixes(List<Prefix> all, long seed) {
        this.all = List.copyOf(all);
        this.seed = seed;
    }

    /** @param needCounterparts keep only prefixes with at least one matching counterpart */
    public static Prefixes of(List<MediRecord> records, boolean needCounterparts, boolean firstTurnOnly, long seed) {
        List<Prefix> out = new ArrayList<>();
        for (MediRecord r : records) {
            for (int i = 0; i < r.turns().size(); i++) {
                if (r.turns().get(i).role() != Role.DOCTOR || i == 0) continue;
                List<Rewards.Opponent> cps = counterpartReplies(r, i);
                if (!needCounterparts || !cps.isEmpty()) out.add(new Prefix(r, i, cps));
                if (firstTurnOnly) break;
            }
        }
        return new Prefixes(out, seed);
    }

    /** The counterparts' replies at doctor turn {@code i} of the record, for those that share turns [0, i). */
    public static List<Rewards.Opponent> counterpartReplies(MediRecord r, int i) {
        List<Rewards.Opponent> out = new ArrayList<>();
        for (Counterpart c : r.counterparts()) {
            if (c.turns().size() <= i || c.turns().get(i).role() != Role.DOCTOR) continue;
            boolean same = true;
            for (int k = 0; k < i && same; k++) {
                Turn a = r.turns().get(k), b = c.turns().get(k);
                same = a.role() == b.role() && a.text().equals(b.text()) && a.images().equals(b.images());
            }
            if (same) out.add(new Rewards.Opponent(c.model(), c.turns().get(i).text()));
        }
        return out;
    }

    public int size() { return all.size(); }

    public List<Prefix> all() { return all; }

    /** Batch {@code k} of {@code b} prefixes (wrapping into the next epoch's order). */
    public List<Prefix> batch(long k, int b) {
        if (all.isEmpty()) throw new IllegalStateException("no prefixes");
        List<Prefix> out = new ArrayList<>(b);
        for (long at = k * b; at < (k + 1) * b; at++) {
            long epoch = at / all.size();
            out.add(all.get(order(epoch)[(int) (at % all.size())]));
        }
        return out;
    }

    /** Fractional epochs after {@code batches} batches of {@code b}. */
    public double epoch(long batches, int b) { return all.isEmpty() ? 0 : (double) batches * b / all.size(); }

    private long cachedEpoch = -1;
    private int[] cachedOrder;

    private synchronized int[] order(long epoch) {
        if (epoch != cachedEpoch) {
            int[] p = new int[all.size()];
            for (int i = 0; i < p.length; i++) p[i] = i;
            Random rnd = new Random(seed * 0x9E3779B97F4A7C15L + epoch);
            for (int i = p.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1), t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            cachedEpoch = epoch;
            cachedOrder = p;
        }
        return cachedOrder;
    }
}
