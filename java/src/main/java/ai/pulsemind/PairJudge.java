package ai.pulsemind;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.judge.Answer;
import ai.pulsemind.judge.JudgeRequest;
import ai.pulsemind.judge.Judging;
import ai.pulsemind.judge.Judgment;
import ai.pulsemind.judge.Reference;

import java.nio.file.Path;
import java.util.List;

/**
 * A judge that compares two doctors' answers on the benchmark's four dimensions (proactiveness, accuracy,
 * usefulness, language quality), asking both presentation orders (a disagreement between them is a tie). Made by
 * {@link PulseMind#judge}; it owns its judge and verdict cache, so close it.
 *
 * <p>A failed comparison is data, not an exception: the {@link Judgment} says {@code ok() == false} and why.
 */
public final class PairJudge implements AutoCloseable {
    private final Judging judging;

    PairJudge(Judging judging) { this.judging = judging; }

    /** The judge's name ({@code rubric}, the served model, {@code jury(…)}). */
    public String name() { return judging.name(); }

    /**
     * Which of two replies is the better next doctor turn of {@code record} at its doctor turn {@code doctorTurn},
     * with the real doctor's turn as the reference.
     *
     * @param root the dataset root the record's image paths are relative to (null: leave them as stored)
     */
    public Judgment compareTurn(MediRecord record, int doctorTurn, Path root, String replyA, String replyB) {
        Conversation context = PulseMind.consultation(record, doctorTurn, root);
        return compare(new JudgeRequest(record.id() + "#" + doctorTurn, context, Reference.ofTurn(record, doctorTurn),
                new Answer.Reply(replyA), new Answer.Reply(replyB)));
    }

    /** One pair of any kind (replies or whole transcripts, any reference). */
    public Judgment compare(JudgeRequest pair) { return judging.compare(List.of(pair)).getFirst(); }

    /** Many pairs at once: concurrent where the judge allows, cached by content. */
    public List<Judgment> compare(List<JudgeRequest> pairs) { return judging.compare(pairs); }

    /** The judging layer itself, for what this facade does not wrap (scores, statistics). */
    public Judging judging() { return judging; }

    @Override
    public void close() { judging.close(); }
}
