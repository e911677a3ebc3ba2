package ai.pulsemind.judge.llm;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.judge.Answer;
import ai.pulsemind.judge.Dimension;
import ai.pulsemind.judge.JudgeRequest;
import ai.pulsemind.judge.Reference;
import ai.pulsemind.judge.ScoreRequest;
import ai.pulsemind.judge.SynthSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bundled prompts state the four dimensions in both languages; a user's template replaces them. */
class PromptsTest {
    @Test
    void bundledPromptsDefineTheFourDimensionsInBothLanguages() throws Exception {
        List<MediRecord> recs = SynthSet.read(SynthSet.mini());
        Path root = SynthSet.mini();
        for (MediRecord r : recs.subList(0, 2)) {
            Conversation ctx = Conversation.ofRecord(r, 1, root, null);
            JudgeRequest req = new JudgeRequest("x", ctx, Reference.ofTurn(r, 1), new Answer.Reply("FIRST-ANSWER"), new Answer.Reply("SECOND-ANSWER"));
            Conversation c = Prompts.bundled().pairwise(req);
            assertEquals(Conversation.Speaker.SYSTEM, c.messages().getFirst().speaker());
            String all = c.messages().get(0).text() + c.messages().get(1).text();
            for (Dimension d : Dimension.values()) {
                assertTrue(all.contains(d.key()), d.key());
                if (r.language().equals("zh")) assertTrue(all.contains(d.zh()), d.zh());
            }
            String user = c.messages().get(1).text();
            assertTrue(user.indexOf("FIRST-ANSWER") < user.indexOf("SECOND-ANSWER"));
            assertTrue(user.contains(r.diagnosis().name()), "the record's diagnosis is shown");
            assertTrue(user.contains(r.turns().get(0).text()), "the context is shown");
            assertTrue(user.contains(r.turns().get(1).text()), "the reference reply is shown");
            assertEquals(r.language().equals("zh"), user.contains("回答A"));
            String abs = Prompts.bundled().absolute(new ScoreRequest("s", ctx, Reference.ofTurn(r, 1), new Answer.Reply("ONLY"))).messages().get(1).text();
            assertTrue(abs.contains("ONLY") && abs.contains("1"));
        }
    }

    @Test
    void aUserTemplateReplacesThemAndIsChecked(@TempDir Path tmp) throws Exception {
        Path good = tmp.resolve("mine.txt");
        Files.writeString(good, "Compare.\nA: {{answer_a}}\nB: {{answer_b}}\nContext: {{context}}\nAnswer in JSON.");
        Prompts p = Prompts.of(good, null);
        JudgeRequest req = new JudgeRequest("x", Conversation.EMPTY.plus(Conversation.Speaker.USER, "hi"), Reference.ofText("r"), new Answer.Reply("one"), new Answer.Reply("two"));
        Conversation c = p.pairwise(req);
        assertEquals(1, c.messages().size(), "no system part: all user message");
        assertEquals("Compare.\nA: one\nB: two\nContext: Patient: hi\nAnswer in JSON.", c.messages().getFirst().text());
        assertNotEquals(Prompts.bundled().hash(), p.hash(), "a new prompt is a new judge for the cache");

        Path unknown = tmp.resolve("typo.txt");
        Files.writeString(unknown, "{{answer_a}} {{answer_b}} {{anwser}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Prompts.of(unknown, null));
        assertTrue(e.getMessage().contains(unknown.toString()) && e.getMessage().contains("{{anwser}}"), e.getMessage());
        Path missing = tmp.resolve("half.txt");
        Files.writeString(missing, "only {{answer_a}}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Prompts.of(missing, null)).getMessage().contains("{{answer_b}}"));
        assertFalse(Files.exists(tmp.resolve("none.txt")));
        assertThrows(IllegalArgumentException.class, () -> Prompts.of(tmp.resolve("none.txt"), null));
    }
}
