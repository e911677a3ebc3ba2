/**
 * Judges: pairwise verdicts (A wins / tie / B wins) and absolute 1–5 scores on the four dimensions of the
 * PulseMind Benchmark ({@link ai.pulsemind.judge.Dimension}), with the real doctor's record as reference. CRPO's
 * reward and the consultation benchmark both judge through this package.
 *
 * <h2>For callers</h2>
 * <pre>{@code
 * try (Judging judging = JudgeSpecs.open("rubric", JudgeOptions.defaults(), Judging.Config.BOTH_ORDERS,
 *                                        SqliteVerdictCache.open(run.resolve("verdicts.sqlite")))) {
 *     // one reply against a counterpart's, at the record's doctor turn t (context: the turns before it)
 *     JudgeRequest r = new JudgeRequest("case-1/g0/c3", Conversation.ofRecord(rec, t, root, null),
 *             Reference.ofTurn(rec, t), Answer.reply(sample), Answer.reply(counterpartReply));
 *     // or two whole consultations, the record's consultation as reference
 *     JudgeRequest w = new JudgeRequest("case-1/model-vs-base", opening, Reference.ofRecord(rec),
 *             Answer.transcript(modelTurns), Answer.transcript(baselineTurns));
 *     List<Judgment> js = judging.compare(List.of(r, w), progress);       // in input order, never throws per pair
 *     Verdict v = js.get(0).ok() ? js.get(0).verdict(Dimension.ACCURACY) : null;  // null: a counted failure
 *     List<ScoreJudgment> abs = judging.score(List.of(new ScoreRequest("case-1/g0", ctx, ref, Answer.reply(sample))));
 *     Diagnostics d = Diagnostics.of(requests, js);                      // flip rate, tie rate, length bias
 *     Agreement a = Agreement.of(judgeLabels, expertLabels);             // percent agreement and Cohen's kappa
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link ai.pulsemind.judge.Judging} is the entry point: one judge or a jury, both presentation orders by
 *       default (a dimension on which the orders disagree is a tie; {@code Config.SINGLE_ORDER} reproduces the
 *       paper's released judge), the verdict cache, counters ({@link ai.pulsemind.judge.Judging#stats()}). Every
 *       pair comes back as a {@link ai.pulsemind.judge.Judgment} with the final verdicts, both orders' raw
 *       verdicts, each jury member's judgment, or the reason it failed.</li>
 *   <li>{@link ai.pulsemind.judge.JudgeSpecs} builds judges from {@code --judge SPEC} strings and
 *       {@link ai.pulsemind.judge.JudgeOptions}: {@code rubric} (deterministic and offline, see
 *       {@link ai.pulsemind.judge.rubric}), {@code openai:BASE_URL[,model=ID][,key-env=VAR]} (any
 *       OpenAI-compatible endpoint through {@link ai.pulsemind.remote.OpenAiClient}), {@code local:MODEL_DIR}
 *       (our engine, greedy, through {@link ai.pulsemind.judge.TextGenerator} and its one adapter
 *       {@link ai.pulsemind.judge.local.EngineTextGenerator}), and {@code jury:SPEC,SPEC,…}.</li>
 *   <li>{@link ai.pulsemind.judge.Judge} is the SPI a new kind of judge implements (answers in the order shown;
 *       batched; results through a sink as they arrive, so they are cached while the rest run).</li>
 *   <li>{@link ai.pulsemind.judge.SqliteVerdictCache}: every answer keyed by {@link ai.pulsemind.judge.CacheKey}
 *       (judge identity, model, prompt hash, parameters, everything shown), one committed row per answer in WAL
 *       mode; a rerun makes no judge calls for what it holds, and a killed run loses only the calls in flight.</li>
 *   <li>{@link ai.pulsemind.judge.Diagnostics} and {@link ai.pulsemind.judge.Agreement}: how a judge behaves
 *       (position-flip rate, tie rate, longer-answer win rate) and how two labelings agree (percent, Cohen's κ,
 *       confusion matrix), for judge-vs-judge, judge-vs-expert and relative-vs-absolute comparisons.</li>
 * </ul>
 * Model judges share {@link ai.pulsemind.judge.llm.Prompts} (pairwise and absolute templates in English and
 * Chinese, replaceable by a file) and {@link ai.pulsemind.judge.llm.VerdictParser} (tolerant JSON reading; an
 * unreadable answer is asked once more, then counted as a failure).
 */
package ai.pulsemind.judge;
