package ai.pulsemind;

import ai.pulsemind.crpo.CrpoConfig;
import ai.pulsemind.crpo.CrpoRun;
import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.DatasetCard;
import ai.pulsemind.data.DatasetWriter;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Progress;
import ai.pulsemind.data.synth.KnowledgeBase;
import ai.pulsemind.data.synth.SynthGenerator;
import ai.pulsemind.data.synth.SynthOptions;
import ai.pulsemind.evaluate.consult.ConsultConfig;
import ai.pulsemind.evaluate.consult.ConsultSummary;
import ai.pulsemind.judge.Dimension;
import ai.pulsemind.judge.Judgment;
import ai.pulsemind.judge.Verdict;
import ai.pulsemind.train.SftRun;
import ai.pulsemind.train.init.ModelInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedding API as a service would use it, nothing but {@link PulseMind} and the types it takes and returns:
 * a micro model made by {@code model init} from a small synthetic set answers OpenAI-format messages blocking and
 * streamed (the same greedy reply both ways, cancellable), a rubric judge prefers the real doctor's turn to an empty
 * reply, SFT through the facade writes an adapter that changes what the opened model computes, and CRPO and the
 * consultation benchmark run through it to their adapter, win rates with intervals and report.
 */
class PulseMindTest {
    @TempDir static Path tmp;
    static Path data, model;

    @BeforeAll
    static void setUp() throws IOException {
        data = tmp.resolve("data");
        model = tmp.resolve("model");
        try (DatasetWriter w = new DatasetWriter(data, DatasetWriter.Options.defaults(), new DatasetCard())) {
            SynthGenerator.generate(KnowledgeBase.bundled(), new SynthOptions(16, 5, "en", 1, 5), w, Progress.NONE);
        }
        ModelInit.run(ModelInit.Shape.named("micro"), data, model, 1, false);
    }

    static PulseMind.Options micro() { return PulseMind.Options.of(model).withDevice("cpu").withThreads(1).withSlots(2).withMaxLength(1024); }

    static final String MESSAGES = "[{\"role\":\"system\",\"content\":\"You are a careful doctor.\"},"
            + "{\"role\":\"user\",\"content\":\"I have had a dry cough for a week and a mild fever.\"}]";

    @Test
    void replyBlockingAndStreamedAreTheSameGreedyReply() {
        try (PulseMind pm = PulseMind.open(micro())) {
            Conversation c = PulseMind.messages(MESSAGES);
            Reply blocking = pm.reply(c, pm.greedy(24));
            assertTrue(blocking.completionTokens() >= 1 && blocking.completionTokens() <= 24, "tokens " + blocking.completionTokens());
            assertTrue(blocking.promptTokens() > 10, "prompt tokens " + blocking.promptTokens());
            assertTrue(List.of("stop", "length").contains(blocking.finishReason()), blocking.finishReason());
            StringBuilder streamed = new StringBuilder();
            List<String> pieces = new ArrayList<>();
            Reply whole = pm.stream(c, pm.greedy(24), piece -> { pieces.add(piece); streamed.append(piece); }).join();
            assertEquals(blocking.text(), whole.text());
            assertEquals(blocking.text(), streamed.toString(), "the pieces make up the reply");
            assertFalse(pieces.isEmpty() && blocking.text().isEmpty(), "an empty reply has no pieces");
            assertEquals(blocking.completion().ids().length, whole.completion().ids().length);
        }
    }

    @Test
    void aStreamCancelledFromItsListenerEndsCancelledWithWhatItHas() {
        try (PulseMind pm = PulseMind.open(micro())) {
            AtomicReference<ReplyStream> self = new AtomicReference<>();
            int[] seen = {0};
            // sampling never meets a stop token early enough to matter at 400 tokens of a random micro model
            ReplyStream s = pm.stream(PulseMind.messages(MESSAGES), pm.sampling(400, 1f, 1f, 3).withStopIds(), piece -> {
                if (++seen[0] == 3) self.get().cancel();
            });
            self.set(s);
            Reply r = s.join();
            assertEquals("cancelled", r.finishReason());
            assertTrue(r.completionTokens() < 400, "stopped after " + r.completionTokens() + " tokens");
        }
    }

    @Test
    void badInputIsAnErrorNamingThePlace() {
        var e = assertThrows(IllegalArgumentException.class, () -> PulseMind.messages("[{\"role\":\"nurse\",\"content\":\"hi\"}]"));
        assertTrue(e.getMessage().startsWith("messages[0].role"), e.getMessage());
        var notJson = assertThrows(IllegalArgumentException.class, () -> PulseMind.messages("[{"));
        assertTrue(notJson.getMessage().startsWith("messages: not JSON"), notJson.getMessage());
        var missing = assertThrows(IllegalArgumentException.class, () -> PulseMind.open(PulseMind.Options.of(tmp.resolve("nowhere")).withDevice("cpu")));
        assertTrue(missing.getMessage().contains("nowhere"), missing.getMessage());
        MediRecord r = firstWithDoctorTurn();
        assertThrows(IllegalArgumentException.class, () -> PulseMind.consultation(r, 0, data), "turn 0 is the patient's");
    }

    @Test
    void rubricJudgePrefersTheRealDoctorToAnEmptyReply() throws IOException {
        MediRecord r = firstWithDoctorTurn();
        int turn = Conversation.doctorTurns(r)[0];
        String doctor = r.turns().get(turn).text();
        try (PairJudge judge = PulseMind.judge("rubric")) {
            Judgment j = judge.compareTurn(r, turn, data, doctor, "OK.");
            assertTrue(j.ok(), j.error());
            int a = 0, b = 0;
            for (Dimension d : Dimension.values()) {
                if (j.verdict(d) == Verdict.A) a++;
                if (j.verdict(d) == Verdict.B) b++;
            }
            assertTrue(a >= 2 && b == 0, "the doctor wins " + a + " dimensions, loses " + b + ": " + j.verdicts());
            Judgment swapped = judge.compareTurn(r, turn, data, "OK.", doctor);
            for (Dimension d : Dimension.values()) assertEquals(j.verdict(d).flip(), swapped.verdict(d), d + " in the other order");
        }
        try (PairJudge judge = PulseMind.judge("rubric")) {
            Judgment noRecord = judge.compare(new ai.pulsemind.judge.JudgeRequest("x", PulseMind.messages(MESSAGES),
                    ai.pulsemind.judge.Reference.ofText("a reply"), new ai.pulsemind.judge.Answer.Reply("a"), new ai.pulsemind.judge.Answer.Reply("b")));
            assertFalse(noRecord.ok(), "the rubric needs the record: a failed judgment, not an exception");
        }
    }

    @Test
    void sftThroughTheFacadeWritesAnAdapterTheModelOpensWith() throws IOException {
        Path run = tmp.resolve("sft");
        Map<String, ?> settings = Map.of("model", model, "data", data, "out", run, "max-steps", 3, "batch-size", 2,
                "max-length", 256, "lora-r", 4, "lr", 2e-2, "threads", 1, "unigram-baseline", false); // paths as Paths
        List<Map<String, Object>> metrics = new ArrayList<>();
        SftRun.Summary s = PulseMind.trainSft(settings, metrics::add);
        assertEquals(3, s.result().steps());
        assertTrue(metrics.stream().filter(m -> m.containsKey("loss")).count() == 3, "one metrics line per step: " + metrics);
        Path adapter = s.result().lastCheckpoint();
        assertTrue(Files.isRegularFile(adapter.resolve("adapter_model.safetensors")), adapter.toString());

        Conversation c = PulseMind.messages(MESSAGES);
        float[] base, tuned;
        try (PulseMind pm = PulseMind.open(micro())) {
            base = pm.reply(c, pm.greedy(4).withLogprobs(0)).completion().logprobs();
        }
        try (PulseMind pm = PulseMind.open(micro().withAdapter(adapter))) {
            tuned = pm.reply(c, pm.greedy(4).withLogprobs(0)).completion().logprobs();
        }
        assertNotEquals(base[0], tuned[0], "the adapter changes the model's first-token log-prob");
    }

    @Test
    void crpoAndTheBenchmarkThroughTheFacade() throws IOException {
        Path crpoRun = tmp.resolve("crpo");
        CrpoRun.Summary crpo = PulseMind.trainCrpo(CrpoConfig.builder().model(model.toString()).data(data.toString()).judge("rubric")
                .out(crpoRun.toString()).groupSize(2).batchSize(1).maxSteps(1).maxNewTokens(8).lr(1e-2).set("threads", 1).build(), null, null);
        assertEquals(1, crpo.result().steps());
        assertTrue(crpo.judged() > 0 && crpo.judgeFailures() == 0, crpo.judged() + " judged, " + crpo.judgeFailures() + " failed");
        Path adapter = crpo.result().lastCheckpoint();
        assertTrue(Files.isRegularFile(adapter.resolve("adapter_model.safetensors")), adapter.toString());

        Path evalRun = tmp.resolve("consult");
        ConsultSummary s = PulseMind.benchmark(ConsultConfig.builder(data, evalRun)
                .model("local:" + model + ",name=base").model("local:" + model + ",adapter=" + adapter + ",name=crpo")
                .judge("rubric").maxCases(2).maxNewTokens(8).device("cpu").threads(1).resamples(200).perTurn(false).build());
        assertEquals(List.of("base", "crpo"), s.whole().models().stream().map(m -> m.model()).toList());
        for (var m : s.whole().models()) {
            assertEquals(2, m.cases(), m.model());
            assertEquals(2 * 5 * 4, m.counts().total(), m.model() + ": 2 cases × 5 counterparts × 4 dimensions");
            var iv = m.meanWinRate().winRate();
            assertTrue(iv.low() <= iv.estimate() && iv.estimate() <= iv.high(), m.model() + " " + iv);
        }
        assertTrue(Files.isRegularFile(evalRun.resolve("report.html")), "the report");
        assertTrue(Files.isRegularFile(evalRun.resolve("summary.json")), "the summary");
    }

    static MediRecord firstWithDoctorTurn() {
        try {
            for (MediRecord r : PulseMind.records(data)) if (Conversation.doctorTurns(r).length > 0 && Conversation.doctorTurns(r)[0] > 0) return r;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new AssertionError("no record with a doctor turn after a patient turn");
    }
}
