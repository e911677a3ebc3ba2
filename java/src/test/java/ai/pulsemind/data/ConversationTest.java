package ai.pulsemind.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ConversationTest {
    private static final ObjectMapper OM = new ObjectMapper();

    private static JsonNode json(String s) throws Exception { return OM.readTree(s); }

    private static MediRecord record() {
        return MediRecord.builder("r1", "en").department("Dermatology")
                .turns(List.of(Turn.patient("I have a rash.", "img1"), Turn.doctor("How long?"), Turn.patient("Two weeks."),
                        Turn.doctor("Likely eczema.")))
                .images(List.of(new ImageRef("img1", "images/r1/a.png", Modality.DERMATOLOGY))).build();
    }

    @Test
    void recordPrefixEndsBeforeTheDoctorTurn(@TempDir Path root) {
        MediRecord r = record();
        assertArrayEquals(new int[] {1, 3}, Conversation.doctorTurns(r));
        Conversation c = Conversation.ofRecord(r, 3, root, "Be kind.");
        assertEquals(4, c.messages().size());
        assertEquals(Conversation.Speaker.SYSTEM, c.messages().get(0).speaker());
        Conversation.Message first = c.messages().get(1);
        assertEquals(Conversation.Speaker.USER, first.speaker());
        assertInstanceOf(Conversation.Image.class, first.parts().get(0), "images come before the turn's text");
        assertEquals("I have a rash.", first.text());
        Conversation.ImageFile f = (Conversation.ImageFile) first.images().get(0);
        assertEquals(root.toAbsolutePath().normalize().resolve("images/r1/a.png"), f.path());
        assertEquals(Modality.DERMATOLOGY, f.modality());
        assertEquals(Conversation.Speaker.ASSISTANT, c.messages().get(2).speaker());
        assertEquals("Two weeks.", c.last().text());
        assertThrows(IllegalArgumentException.class, () -> Conversation.ofRecord(r, 5, root, null));
    }

    @Test
    void openAiMessagesWithTextAndInlineImage() throws Exception {
        String png = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3});
        Conversation c = OpenAiMessages.parse(json("""
                [{"role":"system","content":"sys"},
                 {"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,%s"}},
                                           {"type":"text","text":"what is this?"}]},
                 {"role":"assistant","content":"a rash"}]""".formatted(png)), OpenAiMessages.ImagePolicy.INLINE_ONLY);
        assertEquals(3, c.messages().size());
        var im = (Conversation.InlineImage) c.images().get(0);
        assertArrayEquals(new byte[] {1, 2, 3}, im.bytes());
        assertEquals("messages[1].content[0].image_url.url", im.label());
        assertEquals("what is this?", c.messages().get(1).text());
    }

    @Test
    void localPathsOnlyWhenAllowed(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("x.png"), new byte[] {9});
        JsonNode m = json("[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"image\":\"x.png\"}]}]");
        var e = assertThrows(IllegalArgumentException.class, () -> OpenAiMessages.parse(m, OpenAiMessages.ImagePolicy.INLINE_ONLY));
        assertTrue(e.getMessage().startsWith("messages[0].content[0].image: local image paths are not allowed"), e.getMessage());
        Conversation c = OpenAiMessages.parse(m, OpenAiMessages.ImagePolicy.localFiles(dir));
        assertEquals(dir.resolve("x.png"), ((Conversation.ImageFile) c.images().get(0)).path());
        var missing = assertThrows(IllegalArgumentException.class, () -> OpenAiMessages.parse(
                json("[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"image\":\"nope.png\"}]}]"),
                OpenAiMessages.ImagePolicy.localFiles(dir)));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    @Test
    void badMessagesNameTheField() {
        assertMessage("[]", "messages: the conversation is empty");
        assertMessage("{}", "messages: expected an array");
        assertMessage("[{\"role\":\"tool\",\"content\":\"x\"}]", "messages[0].role: 'tool' is not one of system, user, assistant");
        assertMessage("[{\"role\":\"user\"}]", "messages[0].content: missing");
        assertMessage("[{\"role\":\"user\",\"content\":[{\"type\":\"audio\"}]}]", "messages[0].content[0].type: 'audio'");
        assertMessage("[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}}]}]",
                "messages[0].content[0].image_url.url: remote image URLs are not fetched");
        assertMessage("[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png,abc\"}}]}]",
                "messages[0].content[0].image_url.url: a data URL must be base64");
        assertMessage("[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"system\",\"content\":\"b\"}]",
                "messages[1]: a system message may only come first");
    }

    private static void assertMessage(String messages, String start) {
        var e = assertThrows(IllegalArgumentException.class,
                () -> OpenAiMessages.parse(json(messages), OpenAiMessages.ImagePolicy.INLINE_ONLY));
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }
}
