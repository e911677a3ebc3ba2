package ai.pulsemind.examples;

import ai.pulsemind.PairJudge;
import ai.pulsemind.PulseMind;
import ai.pulsemind.Reply;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.crpo.CrpoConfig;
import ai.pulsemind.crpo.CrpoRun;
import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.evaluate.consult.ConsultConfig;
import ai.pulsemind.evaluate.consult.ConsultSummary;
import ai.pulsemind.judge.Dimension;
import ai.pulsemind.judge.Judgment;
import ai.pulsemind.data.OpenAiMessages;
import ai.pulsemind.model.generate.ChatModel;
import ai.pulsemind.model.generate.Completion;
import ai.pulsemind.model.generate.Engine;
import ai.pulsemind.model.qwen25vl.Prompt;
import ai.pulsemind.train.SftRun;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The README's Java examples, verbatim between the {@code README} markers: compiled with the tests and run by
 * {@link ReadmeExamplesTest}, which also checks that the README shows exactly these lines.
 */
public final class ReadmeExamples {
    private ReadmeExamples() {}

    // README facade begin
    /** A doctor's reply to an OpenAI-format conversation, from a Hugging Face Qwen2.5-VL directory. */
    public static String reply(Path modelDir, String messagesJson) {
        try (PulseMind pm = PulseMind.open(PulseMind.Options.of(modelDir).withDevice("auto"))) {
            Conversation c = PulseMind.messages(messagesJson);
            Reply r = pm.reply(c, pm.greedy(64));            // r.text(), r.finishReason(), token counts
            return r.text();
        }
    }
    // README facade end

    // README engine begin
    /** The same reply through the engine itself, streamed, with its ids and log-probs. */
    public static Completion streamed(Path modelDir, String messagesJson) throws Exception {
        try (Backend be = Backends.open("auto", 0); ChatModel m = ChatModel.open(modelDir, be)) {
            Conversation c = OpenAiMessages.parse(new ObjectMapper().readTree(messagesJson),
                    OpenAiMessages.ImagePolicy.localFiles(Path.of(".")));  // image paths relative to "."
            Engine.Handle h = m.submit(c, m.greedy(64).withLogprobs(0), tok -> System.out.print(tok.text()));
            Completion r = h.join();                         // or h.cancel(): ends CANCELLED with what it has
            Prompt p = m.prompt(c), trained = m.encoder().withCompletion(p, r.ids()); // never re-tokenized
            assert trained.length() == p.length() + r.ids().length;
            return r;                                        // r.text(), r.ids(), r.logprobs(), r.finishReason()
        }
    }
    // README engine end

    // README stages begin
    /** Judge a pair, fine-tune, train with CRPO and benchmark: the CLI's stages as plain calls. */
    public static void stages(Path data, String replyA, String replyB) throws IOException {
        List<MediRecord> records = PulseMind.records(data);
        try (PairJudge judge = PulseMind.judge("rubric")) {          // openai:URL,model=NAME | local:DIR | jury:A,B
            Judgment j = judge.compareTurn(records.get(0), 1, data, replyA, replyB);
            System.out.println(j.verdict(Dimension.ACCURACY));       // A, TIE or B, both presentation orders asked
        }
        SftRun.Summary sft = PulseMind.trainSft(Map.of("model", "models/qwen", "data", data.toString(), "out", "runs/sft",
                "lora-r", 16, "max-steps", 100), metrics -> System.out.println(metrics)); // keys are train sft's flags
        CrpoRun.Summary crpo = PulseMind.trainCrpo(CrpoConfig.builder().model("models/qwen")
                .adapter("runs/sft/checkpoints/latest").data(data.toString()).judge("rubric").out("runs/crpo")
                .maxSteps(50).build(), null, null);
        ConsultSummary bench = PulseMind.benchmark(ConsultConfig.builder(data, Path.of("runs/consult"))
                .model("local:models/qwen,name=base").model("local:models/qwen,adapter=runs/crpo/checkpoints/latest,name=crpo")
                .judge("rubric").build());                           // bench.whole(): mean win rates with 95% intervals
    }
    // README stages end
}
