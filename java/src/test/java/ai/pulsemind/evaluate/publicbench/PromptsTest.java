package ai.pulsemind.evaluate.publicbench;

import ai.pulsemind.data.Conversation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each task's zero-shot text exactly as its harness lays it out, few-shot turns, and MMMU's images in place. */
class PromptsTest {
    static ItemReader.Result read;

    @BeforeAll
    static void readSamples() throws IOException {
        read = ItemReader.read(PublicFixtures.SAMPLES, List.of(Task.values()), 0, true, new ItemReader.Problems(null));
        assertEquals(0, read.problems().malformed());
        assertEquals(0, read.problems().missingImages());
        for (Task t : Task.values()) assertTrue(!read.items().get(t).isEmpty(), "a sample question for " + t.display());
    }

    static Item first(Task t) { return read.items().get(t).getFirst(); }

    static String only(Conversation c) {
        assertEquals(1, c.messages().size());
        return c.messages().getFirst().text();
    }

    @Test
    void lmEvalTextFormats() {
        assertEquals("Question: A 24-year-old woman has burning on urination and urinary frequency for two days. She is afebrile, not "
                + "pregnant, and has no flank pain. Which is the most appropriate treatment?\nA. Intravenous ceftriaxone\nB. Nitrofurantoin\n"
                + "C. Observation only\nD. Oral vancomycin\nE. Renal ultrasound\nAnswer:", only(Prompts.build(first(Task.MEDQA), List.of())));
        assertEquals("Question: Which nerve is injured in wrist drop?\nChoices:\nA. Median nerve\nB. Radial nerve\nC. Ulnar nerve\n"
                + "D. Axillary nerve\nAnswer:", only(Prompts.build(first(Task.MEDMCQA), List.of())));
        assertEquals("Abstract: Sedentary adults aged 65 to 80 were randomised to a supervised walking programme or usual activity.\n"
                + "After twelve weeks, systolic pressure fell by a mean of 7 mmHg in the walking group and was unchanged in the control group.\n"
                + "Question: Does a daily walking programme lower resting blood pressure in older adults?\nAnswer:",
                only(Prompts.build(first(Task.PUBMEDQA), List.of())));
        Conversation mmlu = Prompts.build(first(Task.MMLU_MEDICAL), List.of());
        assertEquals(Conversation.Speaker.SYSTEM, mmlu.messages().getFirst().speaker());
        assertEquals("The following are multiple choice questions (with answers) about anatomy.\n\n", mmlu.messages().getFirst().text());
        assertEquals("Which bone articulates with the head of the humerus?\nA. Clavicle\nB. Scapula\nC. Radius\nD. Sternum\nAnswer:",
                mmlu.last().text());
    }

    @Test
    void visualFormatsShowTheImageFirst() {
        Conversation vqa = Prompts.build(first(Task.VQA_RAD), List.of());
        List<Conversation.Part> parts = vqa.last().parts();
        assertInstanceOf(Conversation.Image.class, parts.get(0));
        assertEquals("Is there a bright round opacity in the image?\nAnswer the question using a single word or phrase.", vqa.last().text());
        assertEquals("What imaging modality was used for this figure?\nA. CT scan\nB. Ultrasound\nC. PET\nD. X-ray\n"
                + "Answer with the option's letter from the given choices directly.", Prompts.build(first(Task.PMC_VQA), List.of()).last().text());
    }

    @Test
    void mmmuPutsEachImageWhereTheTextNamesIt() {
        Item two = read.items().get(Task.MMMU_MEDICAL).get(1);
        List<Conversation.Part> p = Prompts.build(two, List.of()).last().parts();
        // "Compare <image 1> and <image 2>. …(A) <image 1>\n(B) <image 2>…": four images in place, as lm-eval sends them
        assertEquals(9, p.size(), p.toString());
        assertEquals("Compare ", ((Conversation.Text) p.get(0)).text());
        assertTrue(((Conversation.ImageFile) ((Conversation.Image) p.get(1)).source()).path().toString().endsWith("image_1.png"));
        assertEquals(" and ", ((Conversation.Text) p.get(2)).text());
        assertTrue(((Conversation.ImageFile) ((Conversation.Image) p.get(3)).source()).path().toString().endsWith("image_2.png"));
        assertTrue(((Conversation.Text) p.get(8)).text().endsWith("(C) They are equal\n\nAnswer with the option's letter from the given choices directly."));
        Item open = read.items().get(Task.MMMU_MEDICAL).get(2);
        assertTrue(Prompts.build(open, List.of()).last().text().endsWith("\n\nAnswer the question using a single word or phrase."));
    }

    @Test
    void fewShotTurnsFollowLmEvalMultiturn() {
        List<Item> qs = read.items().get(Task.MEDQA);
        Item target = qs.get(2);
        List<Item> shots = Prompts.shots(target, read.fewShotPool().get(Task.MEDQA), 2);
        assertEquals(List.of(qs.get(0), qs.get(1)), shots, "no few-shot split: the first other questions");
        Conversation c = Prompts.build(target, shots);
        assertEquals(5, c.messages().size());
        assertEquals(Conversation.Speaker.ASSISTANT, c.messages().get(1).speaker());
        assertEquals("B", c.messages().get(1).text(), "a shot's target is its letter");
        assertEquals(Prompts.text(qs.get(1)), c.messages().get(2).text());
        assertEquals(Prompts.text(target), c.last().text());
        assertTrue(!Prompts.shots(qs.get(0), qs, 3).contains(qs.get(0)), "never the question itself");
        Item pubmed = read.items().get(Task.PUBMEDQA).get(0);
        assertEquals("yes", Prompts.target(pubmed), "PubMedQA's target is the decision");
    }

    @Test
    void mmluShotsComeFromTheSameSubject() {
        List<Item> qs = read.items().get(Task.MMLU_MEDICAL);
        Item anatomy = qs.getFirst();
        assertEquals(List.of(), Prompts.shots(anatomy, read.fewShotPool().get(Task.MMLU_MEDICAL), 2), "the sample has one anatomy question");
        assertNull(Prompts.system(first(Task.MEDQA)));
    }
}
