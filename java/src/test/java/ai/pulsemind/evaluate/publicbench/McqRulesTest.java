package ai.pulsemind.evaluate.publicbench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The paper's extraction rules, one reply style at a time: which answer, and which rule took it. */
class McqRulesTest {
    static final Map<String, String> OPTS = new LinkedHashMap<>();
    static {
        OPTS.put("A", "Median nerve");
        OPTS.put("B", "Radial nerve");
        OPTS.put("C", "Ulnar nerve");
        OPTS.put("D", "Axillary nerve");
    }

    static void expect(String reply, String answer, String rule) {
        Extraction e = McqRules.extract(reply, OPTS);
        assertEquals(answer, e.answer(), "answer of " + reply);
        assertEquals(rule, e.rule(), "rule of " + reply);
    }

    @Test
    void lettersInTheirUsualForms() {
        expect("B", "B", "letter.bare");
        expect("(B)", "B", "letter.bare");
        expect(" B. ", "B", "letter.bare");
        expect("B. Radial nerve", "B", "letter.leading");
        expect("(C) Ulnar nerve, because ...", "C", "letter.leading");
        expect("The answer is B.", "B", "letter.answer_phrase");
        expect("**Answer:** D", "D", "letter.answer_phrase");
        expect("Option A looks tempting, but the answer is C.", "C", "letter.answer_phrase");
        expect("答案是C", "C", "letter.answer_phrase");
        expect("answer: b", "B", "letter.answer_phrase");
        expect("I would pick option D here.", "D", "letter.option_phrase");
        expect("Wrist drop points to (B) in this list", "B", "letter.paren");
        expect("Probably B since wrist extensors fail", "B", "letter.token");
    }

    @Test
    void articlesAndNonOptionLettersAreNotAnswers() {
        // "A patient ..." is the article; the radial nerve is then found by its text
        expect("A patient with wrist drop has a radial nerve lesion", "B", "option_text");
        // (E) is not an option of four; nothing else names one, so the similarity fallback decides
        assertEquals("similarity", McqRules.extract("(E)", OPTS).rule());
        // two letters named in parentheses: ambiguous, not a letter answer
        assertTrue(!McqRules.extract("Either (A) or (C), I am torn", OPTS).rule().startsWith("letter"));
    }

    @Test
    void optionTextWholeWordsFirstNamedAndNotInsideALongerOption() {
        expect("It is the radial nerve.", "B", "option_text");
        expect("ulnar nerve; the median nerve is spared", "C", "option_text");
        Map<String, String> o = new LinkedHashMap<>();
        o.put("A", "Vitamin");
        o.put("B", "Vitamin C");
        assertEquals("B", McqRules.extract("Vitamin C deficiency causes scurvy", o).answer(), "the longer option, not the one inside it");
    }

    @Test
    void similarityFallbackAndEmptyReplies() {
        Extraction e = McqRules.extract("radail nerv", OPTS);
        assertEquals("B", e.answer());
        assertEquals("similarity", e.rule());
        assertEquals(SequenceRatio.ratio("radial nerve", "radail nerv"), e.similarity(), 1e-12);
        Extraction none = McqRules.extract("   ", OPTS);
        assertNull(none.answer());
        assertEquals("none", none.rule());
    }

    @Test
    void yesNoMaybeQuestionsTakeTheFirstDecisionWord() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("A", "yes");
        o.put("B", "no");
        o.put("C", "maybe");
        assertEquals("C", McqRules.extract("The evidence is not conclusive, so maybe.", o).answer(), "'not' is not 'no'");
        assertEquals("yes_no_maybe", McqRules.extract("No, it does not.", o).rule());
        assertEquals("B", McqRules.extract("No, it does not.", o).answer());
        assertEquals("similarity", McqRules.extract("yess", o).rule());
    }
}
