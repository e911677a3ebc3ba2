/**
 * The rubric judge: deterministic, offline, for tests, the demo and CI. It scores each answer on each dimension in
 * [0, 1] from the answer's text against the reference record (its hidden facts, diagnosis with differentials,
 * images and language), then compares two answers by those scores (a difference under 0.05 is a tie) or maps a
 * score to 1–5 as 1 + round(4·s). It never sees where an answer came from: references carry no counterparts, and
 * the tests check that permuting the synthetic labels changes nothing and that this package does not name them.
 *
 * <h2>The rules</h2>
 * <ul>
 *   <li><b>Proactiveness</b>: of the record's key facts still unknown when the answer starts (the patient has not
 *       said them and no doctor has asked), the share the answer asks about (a question naming one of the fact's
 *       keywords, or, in a transcript, a patient turn that says it); weight 0.7. Asking for the image when the
 *       record has one and it has not been shown: 0.3. Nothing left to ask scores 1. A record without facts falls
 *       back to the number of questions before a diagnosis (three or more score 1).</li>
 *   <li><b>Accuracy</b>: the conclusion, read from the first doctor turn that names a diagnosis: the record's diagnosis
 *       with no look-alike left standing (0.45), hedged between it and a look-alike (half), a look-alike instead
 *       (0); look-alikes explicitly ruled out (0.15); the evidence in hand when concluding, 0.4·(share of key facts
 *       known) + 0.6·(image seen, where there is one) (0.2; a wrong conclusion earns none); confirming tests
 *       recommended (0.1); no over-confident claims such as "definitely", "nothing else it could be", "no further
 *       tests are needed" (+0.1, or −0.1 with them); −0.25 per fact contradicted (the doctor denies a topic the
 *       patient affirmed). A reply that names no diagnosis has claimed nothing wrong (0.7 for the conclusion);
 *       a whole consultation that never names one gets 0.2.</li>
 *   <li><b>Usefulness</b>: concrete next steps in sentences that are not questions, findings, rule-outs, vague
 *       advice ("just rest, drink plenty of water") or refusals of tests: a recommended test (0.35), treatment or
 *       self-care actions (0.4, full at two sentences), warning signs that should send the patient to urgent care
 *       (0.25); times 1 after the right diagnosis, 0.6 after a hedge, 0.25 after a wrong one (the steps then treat
 *       the wrong disease).</li>
 *   <li><b>Language</b>: the patient's script (Chinese characters for a Chinese record, Latin letters for an English
 *       one) multiplies 0.3 + 0.7·fluency, where fluency starts at 1 and loses for sentences that start in lower
 *       case, fragments (under three words or five characters), no courtesy at all, clinical shorthand (dx, hx,
 *       f/u …), repetition (a sentence twice in a turn, a word three times in a row) and turns cut off mid-sentence.</li>
 * </ul>
 *
 * <h2>Known blind spots</h2>
 * <ul>
 *   <li>It reads words, not medicine: a wrong disease that is not among the record's differentials, a wrong drug or
 *       dose, or a misread image described in the right words are not caught. Treatment and test cues are generic
 *       ("take", "start", "scan"), so fluent nonsense that uses them scores as advice.</li>
 *   <li>Asking is credited by keyword: a question that names a fact's keyword in passing counts as asking for it, and
 *       a good question in other words does not. Facts and keywords come from the record; real records without
 *       them fall back to counting questions.</li>
 *   <li>Negation is shallow: "less likely", "rule out" and similar cues set a diagnosis aside for the whole sentence;
 *       the contradiction check only sees a denial just before a keyword, and skips answers that deny anything.</li>
 *   <li>Language quality is form, not sense: short courteous sentences in the right script score well whatever
 *       they say; long well-formed sentences are never penalised for being long.</li>
 *   <li>For a single reply, it judges against the record, not against the real doctor's reply, and a reply that
 *       only asks good questions cannot score on usefulness.</li>
 * </ul>
 * On the synthetic set it orders the reference and the five counterparts per dimension as their labels do
 * (Goodman–Kruskal γ ≥ 0.9 on every dimension in both languages, and no pair two or more grades apart reversed in
 * more than a handful of cases; {@code RubricLabelsTest} prints the table). That set is written from templates the
 * cues were chosen for, so the figure says the rubric is a good ruler for it, not for real consultations.
 */
package ai.pulsemind.judge.rubric;
