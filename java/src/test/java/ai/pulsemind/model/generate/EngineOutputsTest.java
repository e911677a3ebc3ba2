package ai.pulsemind.model.generate;

import ai.pulsemind.autograd.Ops;
import ai.pulsemind.backend.cpu.ReferenceBackend;
import ai.pulsemind.model.qwen25vl.Prompt;
import ai.pulsemind.model.qwen25vl.Qwen25VL;
import ai.pulsemind.nn.ForwardMode;
import ai.pulsemind.tensor.AllocationScope;
import ai.pulsemind.tensor.GradMode;
import ai.pulsemind.tensor.Tensor;
import ai.pulsemind.train.CausalLm;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a request gets back: log-probs that equal the training-side log-prob path over prompt + completion, top-n
 * alternatives consistent with them, stop strings that end the text across token boundaries, streamed text that
 * joins to the result, and ids the tokenizer does not know never generated.
 */
class EngineOutputsTest {
    static final ReferenceBackend REF = new ReferenceBackend();

    /**
     * The log-probs a training step computes for the completion: {@code CausalLm.tokenLogprobs} (one forward over
     * prompt + completion without a cache, the fused LM head + log-softmax at temperature 1) on
     * {@code CausalLm.completionTargets}, in {@code mode} (adapters on or off).
     */
    static float[] trainingLogprobs(ai.pulsemind.backend.Backend be, Qwen25VL model, Prompt prompt, int[] completion, ForwardMode mode) {
        Ops ops = new Ops(be);
        int n = prompt.length(), m = completion.length;
        int[] ids = Arrays.copyOf(prompt.ids(), n + m);
        System.arraycopy(completion, 0, ids, n, m);
        try (var g = GradMode.disabled(); var s = AllocationScope.open()) {
            List<Qwen25VL.Sequence> seqs = List.of(new Qwen25VL.Sequence(ids, prompt.sequence().images()));
            int[] targets = CausalLm.completionTargets(seqs, new int[] {n}); // row i predicts token i + 1
            float[] all = CausalLm.tokenLogprobs(ops, model, seqs, targets, mode, 1f).toFloatArray();
            return Arrays.copyOfRange(all, n - 1, n - 1 + m);
        }
    }

    static float[] trainingLogprobs(ai.pulsemind.backend.Backend be, Qwen25VL model, Prompt prompt, int[] completion) {
        return trainingLogprobs(be, model, prompt, completion, ForwardMode.INFERENCE);
    }

    @Test
    void logprobsEqualTheTrainingSideLogprobPath() {
        try (EngineFixture fx = new EngineFixture(REF)) {
            for (Prompt p : fx.prompts()) {
                for (GenerationConfig g : List.of(GenerationConfig.greedy(10).withLogprobs(0),
                        GenerationConfig.sampling(10, 1.3f, 0, 1f, 9).withLogprobs(0))) {
                    Completion c = fx.alone(p, g, 0);
                    float[] want = trainingLogprobs(REF, fx.cm.model(), p, c.ids());
                    for (int k = 0; k < want.length; k++)
                        assertEquals(want[k], c.logprobs()[k], 2e-5, "token " + k + " of " + Arrays.toString(c.ids()));
                }
            }
        }
    }

    @Test
    void topAlternativesAreSortedAndTheGreedyChoiceComesFirst() {
        try (EngineFixture fx = new EngineFixture(REF)) {
            Completion c = fx.alone(fx.prompts().get(0), GenerationConfig.greedy(6).withLogprobs(5), 0);
            assertEquals(6, c.topLogprobs().size());
            for (int k = 0; k < 6; k++) {
                List<Completion.TopLogprob> top = c.topLogprobs().get(k);
                assertEquals(5, top.size());
                assertEquals(c.ids()[k], top.getFirst().id(), "greedy takes the most likely token");
                assertEquals(c.logprobs()[k], top.getFirst().logprob(), 1e-6);
                double mass = 0;
                for (int j = 0; j < top.size(); j++) {
                    mass += Math.exp(top.get(j).logprob());
                    if (j > 0) assertTrue(top.get(j).logprob() <= top.get(j - 1).logprob());
                }
                assertTrue(mass <= 1 + 1e-5, "probabilities of alternatives sum to at most 1: " + mass);
            }
        }
    }

    @Test
    void aStopStringEndsTheTextAcrossTokensAndTheStreamJoinsToTheResult() {
        try (EngineFixture fx = new EngineFixture(REF)) {
            Prompt p = fx.prompts().get(1);
            Completion free = fx.alone(p, GenerationConfig.greedy(24), 0);
            String text = free.text();
            // a stop string made of the end of one token's text and the start of the next one's
            int[] ids = free.ids();
            String stop = null;
            int cutTokens = -1;
            for (int k = 1; k < ids.length && stop == null; k++) {
                String before = fx.cm.tokenizer().decode(Arrays.copyOf(ids, k), true), one = fx.cm.tokenizer().decode(new int[] {ids[k]}, true);
                String tail = fx.cm.tokenizer().decode(Arrays.copyOf(ids, k + 1), true);
                if (before.isEmpty() || one.isEmpty() || tail.contains("\uFFFD") || !tail.startsWith(before)) continue;
                String s = before.substring(before.length() - 1) + tail.substring(before.length(), before.length() + 1);
                if (text.indexOf(s) == before.length() - 1) {
                    stop = s;
                    cutTokens = k + 1;
                }
            }
            assertTrue(stop != null, "found a stop string across two tokens in " + text);
            StringBuilder streamed = new StringBuilder();
            try (Engine e = fx.engine(1)) {
                Completion c = e.submit(p, GenerationConfig.greedy(24).withStopStrings(stop), 0, t -> streamed.append(t.text())).join();
                assertEquals(Completion.FinishReason.STOP, c.finishReason());
                assertEquals(stop, c.stopString());
                assertEquals(text.substring(0, text.indexOf(stop)), c.text());
                assertEquals(c.text(), streamed.toString(), "the streamed pieces join to the text");
                assertArrayEquals(Arrays.copyOf(ids, cutTokens), c.ids(), "the ids end with the token that completed the stop string");
            }
        }
    }

    @Test
    void idsTheTokenizerDoesNotKnowAreNeverGenerated() {
        // tiny-untied-bf16's greedy reply to the Chinese prompt picks padded rows 535 and 536 (transformers does):
        // with the tokenizer they are masked, and the text decodes
        try (EngineFixture fx = new EngineFixture(REF, "tiny-untied-bf16")) {
            int known = fx.cm.tokenizer().vocabSize();
            assertTrue(fx.cm.model().text().config().vocabSize() > known, "the model's vocabulary is padded");
            Prompt p = fx.cm.prompt(EngineFixture.user("患者主诉头痛三天，怎么办？"));
            Completion raw = new Generator(fx.cm.model(), new Ops(REF)).generate(List.of(p.sequence()), GenerationConfig.greedy(20), null)
                    .stream().map(r -> new Completion(r.newIds(), null, null, null, Completion.FinishReason.LENGTH, null)).findFirst().orElseThrow();
            assertTrue(Arrays.stream(raw.ids()).anyMatch(id -> id >= known), "without the mask the model picks padded ids: " + Arrays.toString(raw.ids()));
            List<Integer> seen = new ArrayList<>();
            for (GenerationConfig g : List.of(GenerationConfig.greedy(20), GenerationConfig.sampling(20, 2f, 0, 1f, 4))) {
                Completion c = fx.alone(p, g, 0);
                for (int id : c.ids()) {
                    assertTrue(id < known && fx.cm.tokenizer().knows(id), "generated unknown id " + id);
                    assertFalse(id == fx.cm.model().imageTokenId(), "generated the image placeholder");
                    seen.add(id);
                }
                assertEquals(fx.cm.tokenizer().decode(c.idsWithoutStop(fx.cm.stopIds()), true), c.text(), "the text decodes");
            }
            assertTrue(seen.size() > 20);
        }
    }

    @Test
    void withoutATokenizerTheEngineReturnsIdsOnly() {
        try (EngineFixture fx = new EngineFixture(REF);
             Engine e = new Engine(fx.cm.model(), REF, Engine.Config.of(1, 64), null)) {
            Completion c = e.generate(Prompt.ofIds(3, 4, 5), GenerationConfig.greedy(4));
            assertEquals(4, c.ids().length);
            assertNull(c.text());
            assertNull(c.logprobs());
        }
    }
}
