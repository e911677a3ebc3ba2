package ai.pulsemind.judge;

import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Role;
import ai.pulsemind.data.Turn;

/**
 * What the answers are judged against: the real doctor's reply or consultation, and the record it comes from
 * (hidden facts, diagnosis, language), which the rubric judge needs and model judges may show.
 *
 * <p>The record is kept without its counterparts: their quality labels are the ground truth judges are tested
 * against, so no judge may see them.
 *
 * @param doctor the real doctor's answer, or null when only the record is known
 * @param record the record, or null when only the doctor's words are known
 */
public record Reference(Answer doctor, MediRecord record) {
    public Reference {
        if (doctor == null && record == null) throw new IllegalArgumentException("a reference needs the doctor's answer, the record, or both");
        if (record != null && !record.counterparts().isEmpty())
            record = record.toBuilder().counterparts(null).build();
    }

    /** The record with its whole consultation as the reference (for judging whole consultations). */
    public static Reference ofRecord(MediRecord record) {
        boolean hasDoctor = record.turns().stream().anyMatch(t -> t.role() == Role.DOCTOR);
        return new Reference(hasDoctor ? new Answer.Transcript(record.turns()) : null, record);
    }

    /** The record with the real doctor's turn {@code turn} as the reference (for judging one reply). */
    public static Reference ofTurn(MediRecord record, int turn) {
        if (turn < 0 || turn >= record.turns().size() || record.turns().get(turn).role() != Role.DOCTOR)
            throw new IllegalArgumentException(record.id() + ": turn " + turn + " is not a doctor turn");
        Turn t = record.turns().get(turn);
        return new Reference(new Answer.Reply(t.text()), record);
    }

    public static Reference ofText(String doctorReply) { return new Reference(new Answer.Reply(doctorReply), null); }

    /** The record's language, or null when there is no record. */
    public String language() { return record == null ? null : record.language(); }
}
