package ai.pulsemind.judge;

import ai.pulsemind.data.Progress;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What callers use to judge: one judge, or a jury of several, with position debiasing and the verdict cache.
 *
 * <pre>
 *   pairs ─┬─ a first ─┐                     ┌─ cache hit ──────────────┐
 *          └─ b first ─┴─ each member × order ┤                          ├─ per member: orders agree? verdict : tie
 *                                            └─ miss → judge (batched) ─┘       └─ jury: strict majority, else tie
 * </pre>
 *
 * Every pair comes back as a {@link Judgment}, in input order, with a verdict per dimension or an error: nothing a
 * judge does to one pair (fail, time out, answer nonsense) ends the call. The same call twice in one batch (the same
 * answers shown the same way) is asked once. Each answer is stored in the cache as it
 * arrives, so an interrupted run loses only the calls in flight and a rerun makes no judge calls for what is done.
 * Both orders are asked by default; {@link Config#SINGLE_ORDER} asks only a-first, as the paper's released judge.
 */
public final class Judging implements AutoCloseable {
    /** @param bothOrders ask every pair a-first and b-first (disagreement → tie); false: a-first only */
    public record Config(boolean bothOrders) {
        public static final Config BOTH_ORDERS = new Config(true), SINGLE_ORDER = new Config(false);
    }

    /**
     * Counters since this was made.
     *
     * @param asked       judge calls needed (pairs × orders × members, plus score requests × members)
     * @param cacheHits   of those, served from the cache
     * @param shared      of those, the same call as another of the same batch, asked once for both (e.g. two
     *                    identical samples of one CRPO group against the same counterpart)
     * @param failed      calls that ended in a failure (a shared call counts for each that waited on it)
     * @param cacheErrors values that could not be written to the cache (the run went on)
     */
    public record Stats(long asked, long cacheHits, long shared, long failed, long cacheErrors) {
        /** Calls that went to a judge. */
        public long judged() { return asked - cacheHits - shared; }
    }

    private static final System.Logger LOG = System.getLogger(Judging.class.getName());

    private final String name;
    private final List<Judge> members;
    private final boolean jury;
    private final Config config;
    private final VerdictCache cache;
    private final AtomicLong asked = new AtomicLong(), hits = new AtomicLong(), shared = new AtomicLong(), failed = new AtomicLong(),
            cacheErrors = new AtomicLong();

    private Judging(String name, List<Judge> members, boolean jury, Config config, VerdictCache cache) {
        if (members.isEmpty()) throw new IllegalArgumentException("a jury needs at least one judge");
        this.name = name;
        this.members = List.copyOf(members);
        this.jury = jury;
        this.config = config;
        this.cache = cache;
    }

    /** One judge. This takes ownership of the judge and the cache: {@link #close()} closes both. */
    public static Judging of(Judge judge, Config config, VerdictCache cache) {
        return new Judging(judge.name(), List.of(judge), false, config, cache);
    }

    /** A jury of several judges, majority per dimension; owns the judges and the cache. */
    public static Judging jury(List<Judge> members, Config config, VerdictCache cache) {
        return new Judging("jury(" + String.join(",", members.stream().map(Judge::name).toList()) + ")", members, true, config, cache);
    }

    public String name() { return name; }

    public Config config() { return config; }

    public List<Judge> members() { return members; }

    public Stats stats() { return new Stats(asked.get(), hits.get(), shared.get(), failed.get(), cacheErrors.get()); }

    public List<Judgment> compare(List<JudgeRequest> pairs) { return compare(pairs, Progress.NONE); }

    /** Judges every pair; {@code progress} advances by one per pair finished. */
    public List<Judgment> compare(List<JudgeRequest> pairs, Progress progress) {
        int n = pairs.size(), orders = config.bothOrders() ? 2 : 1;
        List<List<Unit<Verdicts>>> perMember = run(n, orders, progress,
                unit -> unit % orders == 0 ? pairs.get(unit / orders) : pairs.get(unit / orders).swapped(),
                CacheKey::compare, JudgeJson::verdicts, JudgeJson::verdicts, Judge::compare);
        List<Judgment> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = pairs.get(i).id();
            List<Judgment> each = new ArrayList<>(members.size());
            for (int k = 0; k < members.size(); k++) {
                List<Unit<Verdicts>> units = perMember.get(k);
                each.add(Judgment.ofOrders(id, members.get(k).name(), units.get(i * orders).order(),
                        orders == 2 ? units.get(i * orders + 1).order() : null));
            }
            out.add(jury ? Jury.combine(id, name, each) : each.getFirst());
        }
        return out;
    }

    public List<ScoreJudgment> score(List<ScoreRequest> answers) { return score(answers, Progress.NONE); }

    /** Absolute scores of every answer; {@code progress} advances by one per answer finished. */
    public List<ScoreJudgment> score(List<ScoreRequest> answers, Progress progress) {
        int n = answers.size();
        List<List<Unit<Scores>>> perMember = run(n, 1, progress, answers::get, CacheKey::score,
                JudgeJson::scores, JudgeJson::scores, Judge::score);
        List<ScoreJudgment> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = answers.get(i).id();
            List<ScoreJudgment> each = new ArrayList<>(members.size());
            for (int k = 0; k < members.size(); k++) {
                Unit<Scores> u = perMember.get(k).get(i);
                each.add(new ScoreJudgment(id, members.get(k).name(), u.value(), u.cached(), List.of(), u.error()));
            }
            out.add(jury ? Jury.combineScores(id, name, each) : each.getFirst());
        }
        return out;
    }

    /** The outcome of one judge call: a value or an error, and whether it came from the cache. */
    private record Unit<T>(T value, String error, boolean cached) {
        Judgment.Order order() { return new Judgment.Order((Verdicts) value, error, cached); }
    }

    @FunctionalInterface
    private interface Call<R, T> {
        void call(Judge judge, List<R> batch, Judge.Sink<T> sink);
    }

    /**
     * The shared engine of compare and score: for each member, each of n items × orders units, the cached answer or
     * a judge call; returns per member the outcome of every unit.
     */
    private <R, T> List<List<Unit<T>>> run(int n, int orders, Progress progress, Function<Integer, R> unitRequest,
                                                  BiFunction<String, R, String> key, Function<T, JsonNode> toJson,
                                                  Function<JsonNode, T> fromJson, Call<R, T> call) {
        int units = n * orders;
        AtomicIntegerArray remaining = new AtomicIntegerArray(n);
        for (int i = 0; i < n; i++) remaining.set(i, orders * members.size());
        List<AtomicReferenceArray<Unit<T>>> results = new ArrayList<>();
        List<Runnable> calls = new ArrayList<>();
        for (Judge judge : members) {
            AtomicReferenceArray<Unit<T>> res = new AtomicReferenceArray<>(units);
            results.add(res);
            String identity = judge.identity();
            Plan<R> plan = plan(units, orders, identity, unitRequest, key, fromJson, res, remaining, progress);
            List<R> batch = plan.batch();
            List<List<Integer>> where = plan.where();
            List<String> keys = plan.keys();
            if (batch.isEmpty()) continue;
            Judge.Sink<T> sink = (idx, outcome) -> {
                Unit<T> o = switch (outcome) {
                    case Outcome.Ok<T> ok -> new Unit<>(ok.value(), null, false);
                    case Outcome.Failed<T> f -> new Unit<>(null, f.reason(), false);
                };
                List<Integer> us = where.get(idx);
                if (!res.compareAndSet(us.getFirst(), null, o)) return; // a second report of the same index is ignored
                if (o.value() != null) store(keys.get(idx), judge.name(), toJson.apply(o.value()));
                for (int u : us) {
                    if (u != us.getFirst()) res.set(u, o);
                    if (o.value() == null) failed.incrementAndGet();
                    finish(remaining, u / orders, progress);
                }
            };
            calls.add(() -> {
                try {
                    call.call(judge, batch, sink);
                } catch (RuntimeException e) { // a judge's bug fails its unanswered items, not the run
                    String why = "judge " + judge.name() + " failed: " + e;
                    for (int idx = 0; idx < batch.size(); idx++) sink.accept(idx, Outcome.failed(why));
                }
                for (int idx = 0; idx < batch.size(); idx++)
                    if (res.get(where.get(idx).getFirst()) == null) sink.accept(idx, Outcome.failed("judge " + judge.name() + " gave no answer"));
            });
        }
        runAll(calls);
        List<List<Unit<T>>> out = new ArrayList<>();
        for (AtomicReferenceArray<Unit<T>> res : results) {
            List<Unit<T>> l = new ArrayList<>(units);
            for (int u = 0; u < units; u++) l.add(res.get(u));
            out.add(l);
        }
        return out;
    }

    /**
     * One member's calls to make: the distinct requests not in the cache ({@code batch}), for each the units waiting
     * on it ({@code where}, the first of them the one that asked) and its cache key. Cache hits are filled in.
     */
    private record Plan<R>(List<R> batch, List<List<Integer>> where, List<String> keys) {}

    private <R, T> Plan<R> plan(int units, int orders, String identity, Function<Integer, R> unitRequest, BiFunction<String, R, String> key,
                                Function<JsonNode, T> fromJson, AtomicReferenceArray<Unit<T>> res, AtomicIntegerArray remaining, Progress progress) {
        Plan<R> plan = new Plan<>(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        Map<String, Integer> pending = new HashMap<>();
        for (int u = 0; u < units; u++) {
            R req = unitRequest.apply(u);
            String k = key.apply(identity, req);
            asked.incrementAndGet();
            Integer same = pending.get(k);
            if (same != null) {
                shared.incrementAndGet();
                plan.where().get(same).add(u);
                continue;
            }
            T hit = cached(k, fromJson);
            if (hit != null) {
                hits.incrementAndGet();
                res.set(u, new Unit<>(hit, null, true));
                finish(remaining, u / orders, progress);
            } else {
                pending.put(k, plan.batch().size());
                plan.batch().add(req);
                plan.where().add(new ArrayList<>(List.of(u)));
                plan.keys().add(k);
            }
        }
        return plan;
    }

    /** Members run side by side (a jury of remote judges waits for its slowest member, not their sum). */
    private static void runAll(List<Runnable> calls) {
        if (calls.size() == 1) {
            calls.getFirst().run();
            return;
        }
        List<Thread> threads = new ArrayList<>();
        for (Runnable r : calls) threads.add(Thread.ofVirtual().name("judge-member").start(r));
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while judging", e);
            }
        }
    }

    private static void finish(AtomicIntegerArray remaining, int item, Progress progress) {
        if (remaining.decrementAndGet(item) == 0) progress.advance(1);
    }

    private <T> T cached(String key, Function<JsonNode, T> fromJson) {
        String s = cache.get(key);
        if (s == null) return null;
        try {
            return fromJson.apply(JudgeJson.JSON.readTree(s));
        } catch (JsonProcessingException | RuntimeException e) {
            return null; // an unreadable entry is asked again and overwritten
        }
    }

    private void store(String key, String judge, JsonNode value) {
        try {
            cache.put(key, judge, value.toString());
        } catch (RuntimeException e) {
            if (cacheErrors.getAndIncrement() == 0)
                LOG.log(System.Logger.Level.WARNING, "verdict cache: cannot store (" + e.getMessage() + "); judging goes on without it");
        }
    }

    @Override
    public void close() {
        for (Judge j : members) j.close();
        cache.close();
    }
}
