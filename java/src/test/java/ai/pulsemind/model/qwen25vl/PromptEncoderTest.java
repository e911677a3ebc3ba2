package ai.pulsemind.model.qwen25vl;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.EncodedImage;
import ai.pulsemind.data.EncodedSample;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.model.io.OracleFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One encoder for training and generation: a record encoded for training and its prefix up to each doctor turn
 * encoded for generation agree on every shared token and position; a completion appended as ids and a follow-up
 * turn give exactly what encoding the whole conversation gives.
 */
class PromptEncoderTest {
    static QwenSampleEncoder enc;

    @BeforeAll static void load() throws IOException {
        QwenSampleEncoderParityTest.load();
        enc = QwenSampleEncoder.load(QwenSampleEncoderParityTest.model);
    }

    @Test
    void aRecordForTrainingAndItsPrefixForGenerationShareIdsAndPositions() throws IOException {
        int checked = 0;
        for (MediRecord r : QwenSampleEncoderParityTest.records.values()) {
            EncodedSample train = enc.encode(r, QwenSampleEncoderParityTest.decode(r, enc));
            for (int turn : Conversation.doctorTurns(r)) {
                Prompt gen = enc.forGeneration(Conversation.ofRecord(r, turn, QwenSampleEncoderParityTest.dataset, null));
                int n = gen.length();
                // the generation prompt ends with "<|im_start|>assistant\n"; BPE may join that newline with a reply
                // that starts with whitespace (the Chinese record's "\n请问…"), so the last token is compared as text
                boolean joined = r.turns().get(turn).text().startsWith("\n");
                int shared = joined ? n - 1 : n;
                assertArrayEquals(Arrays.copyOf(train.tokens(), shared), Arrays.copyOf(gen.ids(), shared), r.id() + " turn " + turn + " ids");
                for (int a = 0; a < 3; a++)
                    assertArrayEquals(Arrays.copyOf(train.positions()[a], shared), Arrays.copyOfRange(gen.positions(), a * n, a * n + shared),
                            r.id() + " turn " + turn + " positions axis " + a);
                // the doctor's reply is trained on from the first token after the prompt
                if (!joined) {
                    assertEquals(1, train.lossMask()[n], r.id() + " turn " + turn + ": the reply starts where the prompt ends");
                    assertEquals(0, train.lossMask()[n - 1]);
                }
                int shownBefore = 0;
                for (int i = 0; i < turn; i++) shownBefore += r.turns().get(i).images().size();
                assertEquals(shownBefore, gen.images().size(), "images of the prefix");
                for (int k = 0; k < shownBefore; k++) assertArrayEquals(train.images().get(k).pixels(), gen.images().get(k).pixels());
                checked++;
            }
        }
        assertTrue(checked >= 4, "checked " + checked + " prefixes");
    }

    @Test
    void aCompletionAndAFollowUpEqualEncodingTheWholeConversation() {
        Conversation first = new Conversation(List.of(
                new Conversation.Message(Conversation.Speaker.USER, List.of(
                        new Conversation.Image(new Conversation.ImageFile(OracleFixtures.path("images/small_30x45.png"), null)),
                        new Conversation.Text("What is this?")))));
        String reply = "A small lesion, probably benign.";
        Conversation.Message next = new Conversation.Message(Conversation.Speaker.USER, List.of(
                new Conversation.Image(new Conversation.ImageFile(OracleFixtures.path("images/gray_60x40.png"), null)),
                new Conversation.Text("And this one?")));
        Prompt p = enc.forGeneration(first);
        int imEnd = enc.tokenizer().requireId("<|im_end|>");
        int[] replyIds = enc.tokenizer().encode(reply);
        for (boolean closed : new boolean[] {true, false}) { // the reply ended with <|im_end|>, or was cut at its length
            int[] gen = closed ? Arrays.copyOf(replyIds, replyIds.length + 1) : replyIds;
            if (closed) gen[replyIds.length] = imEnd;
            Prompt done = enc.withCompletion(p, gen);
            assertEquals(p.length() + gen.length, done.length());
            assertEquals(p.nextPosition() + gen.length, done.nextPosition());
            Prompt followed = enc.followUp(done, List.of(next));
            Prompt whole = enc.forGeneration(first.plus(Conversation.Message.text(Conversation.Speaker.ASSISTANT, reply)).plus(next));
            assertArrayEquals(whole.ids(), followed.ids(), "ids, reply closed: " + closed);
            assertArrayEquals(whole.positions(), followed.positions(), "positions, reply closed: " + closed);
            assertEquals(whole.nextPosition(), followed.nextPosition());
            assertEquals(2, followed.images().size());
            for (int k = 0; k < 2; k++) {
                EncodedImage a = whole.images().get(k), b = followed.images().get(k);
                assertArrayEquals(a.pixels(), b.pixels());
            }
        }
    }

    @Test
    void badConversationsAreRefusedWithTheirPlace() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> enc.forGeneration(Conversation.EMPTY)).getMessage().contains("empty"));
        var special = assertThrows(IllegalArgumentException.class, () -> enc.forGeneration(
                new Conversation(List.of(Conversation.Message.text(Conversation.Speaker.USER, "hi <|im_end|> there")))));
        assertTrue(special.getMessage().startsWith("messages[0]") && special.getMessage().contains("<|im_end|>"), special.getMessage());
        var notImage = assertThrows(IllegalArgumentException.class, () -> enc.forGeneration(new Conversation(List.of(
                new Conversation.Message(Conversation.Speaker.USER, List.of(new Conversation.Image(
                        new Conversation.InlineImage(new byte[] {1, 2, 3}, "messages[0].content[0]"))))))));
        assertTrue(notImage.getMessage().startsWith("messages[0].content[0]"), notImage.getMessage());
        Prompt raw = Prompt.ofIds(1, 2, 3);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> enc.followUp(raw, List.of(
                Conversation.Message.text(Conversation.Speaker.USER, "x")))).getMessage().contains("does not end with an assistant reply"));
    }

    @Test
    void aLoaderBatchBecomesModelInputInOneCall() throws IOException {
        // the data loader over the encoder fixture's dataset, both layouts: its sequences are the encoded samples
        var index = ai.pulsemind.data.batch.RecordIndex.of(QwenSampleEncoderParityTest.dataset);
        for (var layout : ai.pulsemind.data.batch.LoaderConfig.Layout.values()) {
            var cfg = new ai.pulsemind.data.batch.LoaderConfig(1, false, layout, 100_000, 8, 8, 1, 0, 0);
            try (var loader = new ai.pulsemind.data.batch.DataLoader(index, enc, cfg,
                    ai.pulsemind.data.batch.LoaderCursor.start(1, index.fingerprint()), 1)) {
                ai.pulsemind.data.batch.Batch batch = loader.next();
                List<Qwen25VL.Sequence> seqs = Qwen25VL.sequences(batch);
                assertEquals(2, seqs.size(), layout + ": both records in one batch");
                for (int i = 0; i < 2; i++) {
                    MediRecord r = QwenSampleEncoderParityTest.records.get(batch.ids().get(i));
                    EncodedSample s = enc.encode(r, QwenSampleEncoderParityTest.decode(r, enc));
                    assertArrayEquals(s.tokens(), seqs.get(i).ids(), layout + " sample " + i);
                    int n = s.length();
                    for (int ax = 0; ax < 3; ax++)
                        assertArrayEquals(s.positions()[ax], Arrays.copyOfRange(seqs.get(i).positions(), ax * n, (ax + 1) * n));
                    assertEquals(s.images().size(), seqs.get(i).images().size());
                    for (int k = 0; k < s.images().size(); k++)
                        assertArrayEquals(s.images().get(k).pixels(), seqs.get(i).images().get(k).pixels().toFloatArray());
                }
            }
        }
    }
}
