package ai.pulsemind.evaluate.consult;

import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Progress;
import ai.pulsemind.evaluate.models.Replier;
import ai.pulsemind.judge.SynthSet;
import ai.pulsemind.remote.FakeOpenAiEndpoint;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Models under test and judges behind real loopback OpenAI-compatible servers: replay, simulated patients, failures. */
class ConsultEndpointTest {
    static final ObjectMapper M = new ObjectMapper();

    /** A doctor that numbers its replies: reply k is "reply k", with its earlier ones in the request. */
    static String numbering(JsonNode req) {
        return "Thank you. Do you have a fever? This is reply " + (ConsultFixtures.assistantTurns(req) + 1) + ".";
    }

    @Test
    void replayPutsTheModelsOwnRepliesInContextAndJudgesEveryTurn(@TempDir Path tmp) throws Exception {
        List<MediRecord> recs = SynthSet.read(ConsultFixtures.mini());
        try (FakeOpenAiEndpoint ep = FakeOpenAiEndpoint.start(FakeOpenAiEndpoint.Options.clean(0), ConsultEndpointTest::numbering);
             Replier model = ConsultFixtures.endpointModel(ep, "fake")) {
            ConsultConfig cfg = ConsultConfig.builder(ConsultFixtures.mini(), tmp.resolve("run")).model(model).baseline("counterpart:counterpart-1")
                    .judge("rubric").maxCases(3).resamples(50).build();
            ConsultSummary s = ConsultBench.run(cfg, Progress.NONE);
            assertEquals(3, s.counts().generated());
            List<JsonNode> lines = Files.readAllLines(tmp.resolve("run/transcripts.jsonl")).stream().map(ConsultEndpointTest::tree)
                    .filter(n -> n.get("model").asText().equals("fake")).toList();
            assertEquals(3, lines.size());
            for (JsonNode t : lines) {
                MediRecord r = recs.stream().filter(x -> x.id().equals(t.get("case").asText())).findFirst().orElseThrow();
                assertEquals(r.turns().size(), t.get("turns").size(), "same turns as the record");
                int k = 0;
                for (int i = 0; i < r.turns().size(); i++) {
                    JsonNode turn = t.get("turns").get(i);
                    if (turn.get("role").asText().equals("doctor")) assertTrue(turn.get("text").asText().endsWith("reply " + ++k + "."), turn.toString());
                    else assertEquals(r.turns().get(i).text(), turn.get("text").asText(), "patient turns replayed");
                }
            }
            JsonNode second = ep.requests().stream().filter(q -> ConsultFixtures.assistantTurns(q) == 1).findFirst().orElseThrow();
            assertTrue(ConsultFixtures.transcript(second).contains("assistant: Thank you. Do you have a fever? This is reply 1."),
                    "the second prompt holds the model's first reply: " + ConsultFixtures.transcript(second));
            String prompt = ConsultFixtures.transcript(second); // requests run side by side: any case's, in English or Chinese
            assertTrue(prompt.startsWith("system: " + DoctorPrompt.EN) || prompt.startsWith("system: " + DoctorPrompt.ZH), prompt);
            assertNotNull(s.perTurn(), "per-turn judgments where the counterpart follows the record");
            assertEquals(3, s.whole().model("fake").cases());

            ConsultSummary again = ConsultBench.run(cfg, Progress.NONE);
            assertEquals(0, again.counts().generated());
            assertEquals(3, again.counts().reusedTranscripts());
        }
    }

    @Test
    void anEndpointFailingMidRunCostsItsCaseAfterRetriesAndTheRunCompletes(@TempDir Path tmp) throws Exception {
        List<MediRecord> recs = SynthSet.read(ConsultFixtures.mini());
        String doomed = recs.get(1).turns().getFirst().text();
        try (FakeOpenAiEndpoint ep = FakeOpenAiEndpoint.start(FakeOpenAiEndpoint.Options.clean(0), req -> {
            if (ConsultFixtures.assistantTurns(req) >= 1 && ConsultFixtures.transcript(req).contains(doomed)) throw new IllegalStateException("backend died");
            return numbering(req);
        }); Replier model = ConsultFixtures.endpointModel(ep, "flaky")) {
            ConsultConfig cfg = ConsultConfig.builder(ConsultFixtures.mini(), tmp.resolve("run")).model(model).judge("rubric").maxCases(3)
                    .resamples(50).build();
            ConsultSummary s = ConsultBench.run(cfg, Progress.NONE);
            assertEquals(1, s.counts().generationFailures());
            assertEquals(2, s.counts().generated());
            assertTrue(s.problems().stream().anyMatch(p -> p.startsWith(recs.get(1).id()) && p.contains("failed " + Consultations.ATTEMPTS + " times")),
                    s.problems().toString());
            long doomedRequests = ep.requests().stream().filter(q -> ConsultFixtures.assistantTurns(q) == 1 && ConsultFixtures.transcript(q).contains(doomed)).count();
            assertTrue(doomedRequests >= Consultations.ATTEMPTS + 1, "the batch, then the prompt alone " + Consultations.ATTEMPTS + " times: " + doomedRequests);
            assertEquals(2, s.whole().model("flaky").cases());
            assertTrue(Files.isRegularFile(tmp.resolve("run/report.html")));
        }
    }

    @Test
    void aJudgeAnsweringNonsenseIsCountedAndTheRestIsJudged(@TempDir Path tmp) throws Exception {
        List<MediRecord> recs = SynthSet.read(ConsultFixtures.mini());
        String garbled = recs.get(0).turns().getFirst().text();
        String valid = "```json\n{\"proactiveness\": {\"winner\": \"A\", \"reason\": \"r\"}, \"accuracy\": {\"winner\": \"A\", \"reason\": \"r\"},"
                + " \"usefulness\": {\"winner\": \"tie\", \"reason\": \"r\"}, \"language\": {\"winner\": \"B\", \"reason\": \"r\"}}\n```";
        try (FakeOpenAiEndpoint judge = FakeOpenAiEndpoint.start(FakeOpenAiEndpoint.Options.clean(0),
                req -> ConsultFixtures.transcript(req).contains(garbled) ? "Both doctors seem fine to me, honestly." : valid)) {
            ConsultConfig cfg = ConsultConfig.builder(ConsultFixtures.mini(), tmp.resolve("run")).model("counterpart:counterpart-1")
                    .baseline("counterpart:counterpart-2").judge("openai:" + judge.baseUrl() + ",model=fake-judge").singleOrder(true).perTurn(false)
                    .maxCases(4).resamples(50).build();
            ConsultSummary s = ConsultBench.run(cfg, Progress.NONE);
            assertEquals(1, s.counts().judgeFailures(), "the garbled case's pair");
            assertEquals(3, s.counts().judged());
            assertTrue(s.problems().stream().anyMatch(p -> p.startsWith(recs.get(0).id() + "|") && p.contains("judge failed")), s.problems().toString());
            var cell = s.whole().model("counterpart-1");
            assertEquals(3, cell.cases());
            var acc = cell.cells().stream().filter(c -> c.dimension().equals("accuracy")).findFirst().orElseThrow();
            assertEquals(3, acc.counts().wins(), "the judge's verdicts, as given, on the pairs it answered");
            var lang = cell.cells().stream().filter(c -> c.dimension().equals("language")).findFirst().orElseThrow();
            assertEquals(3, lang.counts().losses());
        }
    }

    @Test
    void aSimulatedPatientRevealsFactsWhenAskedAndTheConsultationEndsAtTheDiagnosis(@TempDir Path tmp) throws Exception {
        List<MediRecord> recs = SynthSet.read(ConsultFixtures.mini());
        MediRecord first = recs.getFirst();
        String ask = "Could you tell me: " + String.join(", ", first.facts().stream().map(f -> f.keywords().getFirst()).toList()) + "?";
        try (FakeOpenAiEndpoint ep = FakeOpenAiEndpoint.start(FakeOpenAiEndpoint.Options.clean(0),
                req -> ConsultFixtures.assistantTurns(req) == 0 ? ask : "Thank you. The most likely diagnosis is what we discussed.");
             Replier model = ConsultFixtures.endpointModel(ep, "sim")) {
            ConsultConfig cfg = ConsultConfig.builder(ConsultFixtures.mini(), tmp.resolve("run")).model(model).judge("rubric")
                    .mode(ConsultConfig.Mode.SIMULATED).turnBudget(4).maxCases(2).resamples(50).build();
            ConsultSummary s = ConsultBench.run(cfg, Progress.NONE);
            ConsultSummary.SimulationStats st = s.simulation().getFirst();
            assertEquals(2, st.consultations());
            assertEquals(2.0, st.meanTurnsUsed(), 1e-12, "asks once, then diagnoses");
            assertEquals(1.0, st.diagnosedRate(), 1e-12);
            JsonNode t = Files.readAllLines(tmp.resolve("run/transcripts.jsonl")).stream().map(ConsultEndpointTest::tree)
                    .filter(n -> n.get("model").asText().equals("sim") && n.get("case").asText().equals(first.id())).findFirst().orElseThrow();
            assertEquals(first.facts().size(), t.get("facts_elicited").asInt(), "every fact asked about is revealed: " + t);
            assertEquals(first.facts().getFirst().answer(), t.get("turns").get(2).get("text").asText().substring(0, first.facts().getFirst().answer().length()));
            assertEquals("simulated", M.readTree(tmp.resolve("run/summary.json").toFile()).get("mode").asText());
        }
    }

    @Test
    void aScriptedPatientWhoIsAskedNothingItKnowsSaysSo() {
        MediRecord r = SynthSet.mini() == null ? null : readFirst();
        var s = new SimulatedPatient.State(r, List.of(r.turns().getFirst(), ai.pulsemind.data.Turn.doctor("How is the weather?")), new java.util.HashSet<>());
        var answer = ScriptedPatient.answer(s);
        assertTrue(answer.text().contains("not sure"), answer.text());
        assertTrue(s.revealed().isEmpty());
        var budget = ConsultConfig.builder(Path.of("d"), Path.of("o")).model("graded");
        assertThrows(IllegalArgumentException.class, () -> budget.turnBudget(0).build());
    }

    @Test
    void anotherRunsTranscriptsServeAsABaselineWithoutGeneratingAgain(@TempDir Path tmp) throws Exception {
        try (FakeOpenAiEndpoint ep = FakeOpenAiEndpoint.start(FakeOpenAiEndpoint.Options.clean(0), ConsultEndpointTest::numbering);
             Replier model = ConsultFixtures.endpointModel(ep, "fake")) {
            ConsultBench.run(ConsultConfig.builder(ConsultFixtures.mini(), tmp.resolve("first")).model(model).judge("rubric").maxCases(2)
                    .resamples(50).build(), Progress.NONE);
            long asked = ep.chatRequests();
            ConsultSummary s = ConsultBench.run(ConsultConfig.builder(ConsultFixtures.mini(), tmp.resolve("second")).model("counterpart:counterpart-1")
                    .baseline("run:" + tmp.resolve("first")).judge("rubric").maxCases(2).resamples(50).build(), Progress.NONE);
            assertEquals(asked, ep.chatRequests(), "the second run asks the model nothing");
            var rates = s.whole().model("counterpart-1");
            assertEquals(List.of("fake"), rates.baselines().stream().map(b -> b.baseline()).toList(), "only the first run's model, not its counterparts");
            assertEquals(2, rates.cases());
        }
    }

    @Test
    void anLlmPatientBehindAnEndpointAnswersTheDoctor(@TempDir Path tmp) throws Exception {
        MediRecord first = SynthSet.read(ConsultFixtures.mini()).getFirst();
        String fact = first.facts().getFirst().answer();
        try (FakeOpenAiEndpoint doctor = FakeOpenAiEndpoint.start(FakeOpenAiEndpoint.Options.clean(0),
                req -> ConsultFixtures.assistantTurns(req) < 2 ? "Tell me more about how you feel?" : "The most likely diagnosis is clear now.");
             FakeOpenAiEndpoint patient = FakeOpenAiEndpoint.start(FakeOpenAiEndpoint.Options.clean(0), req -> fact);
             Replier model = ConsultFixtures.endpointModel(doctor, "doc")) {
            ConsultSummary s = ConsultBench.run(ConsultConfig.builder(ConsultFixtures.mini(), tmp.resolve("run")).model(model).judge("rubric")
                    .mode(ConsultConfig.Mode.SIMULATED).patient("openai:" + patient.baseUrl() + ",model=patient").maxCases(1).resamples(50).build(),
                    Progress.NONE);
            assertEquals(3.0, s.simulation().getFirst().meanTurnsUsed(), 1e-12);
            JsonNode sys = patient.requests().getFirst().get("messages").get(0);
            assertEquals("system", sys.get("role").asText());
            assertTrue(sys.get("content").toString().contains(fact), "the patient knows the hidden facts: " + sys);
            JsonNode t = Files.readAllLines(tmp.resolve("run/transcripts.jsonl")).stream().map(ConsultEndpointTest::tree)
                    .filter(n -> n.get("model").asText().equals("doc")).findFirst().orElseThrow();
            assertEquals(fact, t.get("turns").get(2).get("text").asText());
            assertEquals(1, t.get("facts_elicited").asInt(), t.toString());
        }
    }

    static MediRecord readFirst() {
        try {
            return SynthSet.read(ConsultFixtures.mini()).stream().filter(x -> "en".equals(x.language())).findFirst().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static JsonNode tree(String s) {
        try {
            return M.readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
