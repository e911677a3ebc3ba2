package ai.pulsemind.data.synth;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * One condition of the knowledge base (see {@code datasets/knowledge/README.md} for the file format).
 *
 * @param facts         hidden facts: a topic from topics.json, whether the diagnosis depends on it, the answer
 * @param signature     renderer parameters for {@code modality}: the visual signature
 * @param visual        the signature as a doctor reads it aloud
 * @param labs          optional lab-report signature shown as a second image; null when none
 * @param differentials ids of look-alike conditions
 */
public record Condition(String id, String department, String subspecialty, Bi name, int ageMin, int ageMax, String sex,
                        List<Bi> complaints, List<Fact> facts, List<Bi> findings, String modality, JsonNode signature,
                        Bi visual, JsonNode labs, List<String> differentials, List<Bi> tests, List<Bi> advice,
                        List<Bi> redFlags) {
    /** A hidden fact of the condition. */
    public record Fact(String topic, boolean key, Bi answer) {}

    public List<Fact> keyFacts() { return facts.stream().filter(Fact::key).toList(); }
}
