package ai.pulsemind.judge.llm;

import ai.pulsemind.judge.Dimension;
import ai.pulsemind.judge.Scores;
import ai.pulsemind.judge.Verdict;
import ai.pulsemind.judge.Verdicts;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How judge models actually answer, and what the parser makes of it. */
class VerdictParserTest {
    static Verdicts ok(String text) {
        VerdictParser.Parsed<Verdicts> p = VerdictParser.verdicts(text);
        assertTrue(p.ok(), p.error());
        return p.value();
    }

    @Test
    void plainFencedAndAmongProse() {
        String json = "{\"proactiveness\": {\"winner\": \"A\", \"reason\": \"asks about smoking\"}, \"accuracy\": {\"winner\": \"tie\", \"reason\": \"both right\"},"
                + " \"usefulness\": {\"winner\": \"B\", \"reason\": \"gives tests\"}, \"language\": {\"winner\": \"A\", \"reason\": \"clear\"}}";
        for (String text : new String[] {json, "```json\n" + json + "\n```", "Sure! Here is my verdict:\n\n" + json + "\n\nLet me know if you need more.",
                "Thinking {not json} first.\n```\n" + json + "\n```"}) {
            Verdicts v = ok(text);
            assertEquals(Verdict.A, v.get(Dimension.PROACTIVENESS));
            assertEquals(Verdict.TIE, v.get(Dimension.ACCURACY));
            assertEquals(Verdict.B, v.get(Dimension.USEFULNESS));
            assertEquals("asks about smoking", v.rationale(Dimension.PROACTIVENESS));
        }
    }

    @Test
    void lenientJsonAndOtherShapes() {
        Verdicts single = ok("{'proactiveness': 'A', 'accuracy': 'B', usefulness: \"tie\", 'language': 'Answer B',}");
        assertEquals(Verdict.B, single.get(Dimension.LANGUAGE));
        Verdicts nested = ok("{\"verdicts\": {\"Proactiveness\": {\"verdict\": \"Response A\"}, \"Accuracy\": {\"better\": \"B is better\"},"
                + " \"Usefulness\": {\"result\": \"equal\"}, \"Language Quality\": {\"winner\": \"a\", \"rationale\": \"fluent\"}}}");
        assertEquals(Verdict.A, nested.get(Dimension.PROACTIVENESS));
        assertEquals(Verdict.B, nested.get(Dimension.ACCURACY));
        assertEquals(Verdict.TIE, nested.get(Dimension.USEFULNESS));
        assertEquals("fluent", nested.rationale(Dimension.LANGUAGE));
        Verdicts zh = ok("评审结果如下：{\"主动性\": {\"winner\": \"回答A\", \"理由\": \"问得更全\"}, \"准确性\": \"平局\", \"有用性\": \"B\", \"语言质量\": \"A更好\"}");
        assertEquals(Verdict.A, zh.get(Dimension.PROACTIVENESS));
        assertEquals(Verdict.TIE, zh.get(Dimension.ACCURACY));
        assertEquals(Verdict.A, zh.get(Dimension.LANGUAGE));
        assertEquals("问得更全", zh.rationale(Dimension.PROACTIVENESS));
    }

    @Test
    void whatCannotBeReadSaysSo() {
        for (String bad : new String[] {"I prefer the first answer overall.", "{\"proactiveness\": \"A\", \"accuracy\": \"B\"}",
                "{\"proactiveness\": \"maybe\", \"accuracy\": \"A\", \"usefulness\": \"A\", \"language\": \"A\"}", "", "{{{{"}) {
            VerdictParser.Parsed<Verdicts> p = VerdictParser.verdicts(bad);
            assertFalse(p.ok(), bad);
            assertTrue(p.error().startsWith("unparseable verdict"), p.error());
        }
    }

    @Test
    void spellingsOfAVerdict() {
        assertEquals(Verdict.A, VerdictParser.verdict(new TextNode("A")));
        assertEquals(Verdict.B, VerdictParser.verdict(new TextNode(" b ")));
        assertEquals(Verdict.B, VerdictParser.verdict(new TextNode("Answer B")));
        assertEquals(Verdict.A, VerdictParser.verdict(new TextNode("first")));
        assertEquals(Verdict.TIE, VerdictParser.verdict(new TextNode("Tie")));
        assertEquals(Verdict.TIE, VerdictParser.verdict(new TextNode("draw")));
        assertEquals(Verdict.TIE, VerdictParser.verdict(new TextNode("相当")));
        assertNull(VerdictParser.verdict(new TextNode("absolutely")));
        assertEquals(Verdict.TIE, VerdictParser.verdict(new TextNode("Both are equally good")));
        assertNull(VerdictParser.verdict(new TextNode("both good, slight tie to A")));
        assertNull(VerdictParser.verdict(new TextNode("tie, though I lean towards B")));
    }

    @Test
    void scores() {
        VerdictParser.Parsed<Scores> p = VerdictParser.scores("```json\n{\"proactiveness\": {\"score\": 4, \"reason\": \"x\"}, \"accuracy\": {\"score\": \"5\"},"
                + " \"usefulness\": \"3/5\", \"language\": 2.0}\n```");
        assertTrue(p.ok(), p.error());
        assertEquals(4, p.value().get(Dimension.PROACTIVENESS));
        assertEquals(5, p.value().get(Dimension.ACCURACY));
        assertEquals(3, p.value().get(Dimension.USEFULNESS));
        assertEquals(2, p.value().get(Dimension.LANGUAGE));
        assertFalse(VerdictParser.scores("{\"proactiveness\": 7, \"accuracy\": 1, \"usefulness\": 1, \"language\": 1}").ok());
        assertFalse(VerdictParser.scores("{\"proactiveness\": 3.5, \"accuracy\": 1, \"usefulness\": 1, \"language\": 1}").ok());
    }
}
