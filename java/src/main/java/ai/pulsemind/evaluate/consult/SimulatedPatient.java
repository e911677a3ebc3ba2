package ai.pulsemind.evaluate.consult;

import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Turn;

import java.util.List;
import java.util.Set;

/** The patient of simulated mode: answers the doctor's last turn of each consultation in a batch. */
public interface SimulatedPatient extends AutoCloseable {
    /**
     * One consultation in progress.
     *
     * @param record   the case (its facts are what the patient knows)
     * @param turns    the consultation so far, ending with the doctor's turn to answer
     * @param revealed topics of the facts revealed so far (the patient adds to it)
     */
    record State(MediRecord record, List<Turn> turns, Set<String> revealed) {}

    String name();

    /** The patient's next turn in each consultation, in order. */
    List<Turn> answer(List<State> states);

    @Override default void close() {}
}
