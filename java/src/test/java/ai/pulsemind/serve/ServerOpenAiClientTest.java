package ai.pulsemind.serve;

import ai.pulsemind.testing.RandomAdapter;
import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.OpenAiMessages;
import ai.pulsemind.model.generate.ChatModel;
import ai.pulsemind.model.generate.Completion;
import ai.pulsemind.model.io.OracleFixtures;
import ai.pulsemind.train.PeftAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.chat.completions.ChatCompletionUserMessageParam;
import com.openai.models.models.Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static ai.pulsemind.serve.ServeFixture.cli;
import static ai.pulsemind.serve.ServeFixture.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server through the official OpenAI Java SDK, on an oracle checkpoint (real tokenizer, chat template and
 * vision tower) on the fast CPU backend: what a client gets equals what {@code pulsemind generate} prints for the
 * same conversation and settings, streamed or not, and every refusal is the status and error body OpenAI sends.
 */
class ServerOpenAiClientTest {
    private static final ObjectMapper M = new ObjectMapper();
    private static final String KEY = "test-key-7f3a";
    private static final String SYSTEM = "You are a careful medical assistant.", USER = "患者主诉头痛三天，怎么办？";
    private static final long LIMIT = 64 * 1024;
    private static Path modelDir;
    private static Server server;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        modelDir = OracleFixtures.path("tiny-tied-f32");
        server = Server.start(ServerConfig.of(modelDir).withPort(0).withApiKey(KEY).withDevice("cpu", 2)
                .withMaxConcurrency(4).withMaxQueue(8).withMaxRequestBytes(LIMIT));
        client = ServeFixture.client(server, KEY);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder().model("tiny-tied-f32").addSystemMessage(SYSTEM).addUserMessage(USER);
    }

    private static Path messagesFile(Path tmp) throws Exception {
        Path f = tmp.resolve("messages.json");
        Files.writeString(f, M.writeValueAsString(List.of(java.util.Map.of("role", "system", "content", SYSTEM),
                java.util.Map.of("role", "user", "content", USER))));
        return f;
    }

    private static List<JsonNode> generate(String... args) throws Exception {
        ServeFixture.Run r = cli(args);
        assertEquals(0, r.code(), r.err());
        List<JsonNode> lines = new ArrayList<>();
        for (String l : r.out().strip().split("\n")) lines.add(M.readTree(l));
        return lines;
    }

    /** Streams a request; returns the concatenated text of choice 0 and the usage chunk's completion tokens (or -1). */
    private static String[] stream(ChatCompletionCreateParams p) {
        StringBuilder text = new StringBuilder();
        AtomicLong usage = new AtomicLong(-1);
        StringBuilder finish = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(p)) {
            s.stream().forEach(ch -> {
                ch.usage().ifPresent(u -> usage.set(u.completionTokens()));
                for (ChatCompletionChunk.Choice c : ch.choices()) {
                    c.delta().content().ifPresent(text::append);
                    c.finishReason().ifPresent(f -> finish.append(f.asString()));
                }
            });
        }
        return new String[] {text.toString(), Long.toString(usage.get()), finish.toString()};
    }

    @Test
    void greedyReplyEqualsTheGenerateCommandStreamedOrNot(@TempDir Path tmp) throws Exception {
        JsonNode g = generate("generate", "--model", modelDir.toString(), "--messages", messagesFile(tmp).toString(),
                "--max-new-tokens", "24", "--json", "--device", "cpu", "--threads", "2").getFirst();
        ChatCompletionCreateParams p = chat().temperature(0.0).maxCompletionTokens(24).build();
        ChatCompletion c = client.chat().completions().create(p);
        assertEquals(g.get("text").asText(), c.choices().getFirst().message().content().orElseThrow());
        assertEquals(g.get("finish_reason").asText(), c.choices().getFirst().finishReason().asString());
        assertEquals(g.get("new_ids").size(), c.usage().orElseThrow().completionTokens());
        assertEquals(g.get("prompt_ids").size(), c.usage().orElseThrow().promptTokens());
        assertTrue(g.get("new_ids").size() > 0);

        String[] s = stream(chat().temperature(0.0).maxCompletionTokens(24)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build());
        assertEquals(g.get("text").asText(), s[0], "streamed deltas concatenated");
        assertEquals(Integer.toString(g.get("new_ids").size()), s[1], "the usage chunk");
        assertEquals(g.get("finish_reason").asText(), s[2]);
    }

    @Test
    void sampledChoicesEqualTheGenerateCommandsSamplesOfTheSameSeed(@TempDir Path tmp) throws Exception {
        List<JsonNode> g = generate("generate", "--model", modelDir.toString(), "--messages", messagesFile(tmp).toString(),
                "--max-new-tokens", "16", "--temperature", "2", "--top-p", "0.95", "--seed", "11", "--n", "3", "--json",
                "--device", "cpu", "--threads", "2");
        ChatCompletion c = client.chat().completions().create(chat().temperature(2.0).topP(0.95).seed(11).n(3).maxCompletionTokens(16).build());
        assertEquals(3, c.choices().size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, c.choices().get(i).index());
            assertEquals(g.get(i).get("text").asText(), c.choices().get(i).message().content().orElseThrow(), "choice " + i);
        }
        assertNotEquals(c.choices().get(0).message().content(), c.choices().get(1).message().content(), "choices draw from different streams");
        ChatCompletion again = client.chat().completions().create(chat().temperature(2.0).topP(0.95).seed(11).n(3).maxCompletionTokens(16).build());
        assertEquals(c.choices().get(2).message().content(), again.choices().get(2).message().content(), "same seed, same reply");
    }

    @Test
    void logprobsListTheChosenTokenFirstAmongItsAlternatives() {
        ChatCompletion c = client.chat().completions().create(chat().temperature(0.0).maxCompletionTokens(10).logprobs(true).topLogprobs(3).build());
        List<ChatCompletionTokenLogprob> content = c.choices().getFirst().logprobs().orElseThrow().content().orElseThrow();
        long tokens = c.usage().orElseThrow().completionTokens();
        boolean stopped = c.choices().getFirst().finishReason().asString().equals("stop");
        assertEquals(stopped ? tokens - 1 : tokens, content.size(), "one entry per token of the reply (the stop token is not)");
        StringBuilder text = new StringBuilder();
        for (ChatCompletionTokenLogprob t : content) {
            assertEquals(3, t.topLogprobs().size());
            assertEquals(t.topLogprobs().getFirst().token(), t.token(), "greedy picks the most likely token");
            assertEquals(t.topLogprobs().getFirst().logprob(), t.logprob(), 1e-4, "the fused log-prob op and the top-k agree");
            assertTrue(t.logprob() <= 0);
            for (int k = 1; k < 3; k++) assertTrue(t.topLogprobs().get(k).logprob() <= t.topLogprobs().get(k - 1).logprob());
            List<Long> bytes = t.bytes().orElseThrow();
            byte[] b = new byte[bytes.size()];
            for (int k = 0; k < b.length; k++) b[k] = (byte) (long) bytes.get(k);
            text.append(new String(b, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        String reply = c.choices().getFirst().message().content().orElseThrow();
        assertEquals(new String(reply.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.ISO_8859_1),
                text.toString(), "the tokens' bytes spell the reply");

        List<Double> streamed = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> st = client.chat().completions().createStreaming(
                chat().temperature(0.0).maxCompletionTokens(10).logprobs(true).build())) {
            st.stream().forEach(ch -> ch.choices().forEach(c2 -> c2.logprobs().flatMap(ChatCompletionChunk.Choice.Logprobs::content)
                    .ifPresent(l -> l.forEach(t -> streamed.add(t.logprob())))));
        }
        assertEquals(content.stream().map(ChatCompletionTokenLogprob::logprob).toList(), streamed, "a stream carries the same log-probs");
    }

    @Test
    void anAdapterGivenToTheServerIsTheOneItGeneratesWith(@TempDir Path tmp) throws Exception {
        Path adapter = RandomAdapter.write(modelDir, tmp.resolve("adapter"));
        String body = "[{\"role\":\"user\",\"content\":" + M.writeValueAsString(USER) + "}]";
        Conversation conv = OpenAiMessages.parse(M.readTree(body), OpenAiMessages.ImagePolicy.INLINE_ONLY);
        Completion direct;
        try (Backend be = Backends.open("cpu", 2); ChatModel cm = ChatModel.open(modelDir, be)) {
            PeftAdapter.attach(adapter, be, cm.model());
            direct = cm.generate(conv, cm.greedy(10).withLogprobs(0));
        }
        ChatCompletionCreateParams p = ChatCompletionCreateParams.builder().model("tiny-tied-f32").addUserMessage(USER)
                .temperature(0.0).maxCompletionTokens(10).logprobs(true).build();
        List<ChatCompletionTokenLogprob> base = client.chat().completions().create(p).choices().getFirst().logprobs().orElseThrow().content().orElseThrow();
        try (Server adapted = Server.start(ServerConfig.of(modelDir).withPort(0).withDevice("cpu", 2).withAdapter(adapter))) {
            ChatCompletion c = ServeFixture.client(adapted, null).chat().completions().create(p);
            assertEquals(direct.text(), c.choices().getFirst().message().content().orElseThrow());
            List<ChatCompletionTokenLogprob> lp = c.choices().getFirst().logprobs().orElseThrow().content().orElseThrow();
            double offBase = 0;
            for (int k = 0; k < lp.size(); k++) {
                assertEquals(direct.logprobs()[k], lp.get(k).logprob(), 1e-5, "token " + k);
                if (k < base.size()) offBase = Math.max(offBase, Math.abs(base.get(k).logprob() - lp.get(k).logprob()));
            }
            assertTrue(offBase > 1e-2, "the adapter changes the replies' log-probs: max |adapted - base| = " + offBase);
        }
    }

    @Test
    void aStopStringCutsTheReplyBeforeIt() {
        // sampled hot with a fixed seed: this checkpoint's greedy reply repeats one letter
        ChatCompletionCreateParams.Builder hot = chat().temperature(2.0).seed(5).maxCompletionTokens(24);
        String full = client.chat().completions().create(hot.build()).choices().getFirst().message().content().orElseThrow();
        int k = 1;
        while (k < full.length() && full.substring(0, k).contains(full.substring(k, k + 1))) k++;
        assertTrue(k < full.length(), "the greedy reply has a character that does not occur before it: '" + full + "'");
        ChatCompletion c = client.chat().completions().create(hot.stop(full.substring(k, k + 1)).build());
        assertEquals(full.substring(0, k), c.choices().getFirst().message().content().orElseThrow());
        assertEquals("stop", c.choices().getFirst().finishReason().asString());
    }

    @Test
    void anImageAsADataUrlGivesTheReplyGenerateGivesForTheFile(@TempDir Path tmp) throws Exception {
        Path image = OracleFixtures.path("images/tiny_20x20.png");
        Path f = tmp.resolve("m.json");
        Files.writeString(f, "[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"image\":" + M.writeValueAsString(image.toString())
                + "},{\"type\":\"text\",\"text\":\"Describe.\"}]}]");
        JsonNode g = generate("generate", "--model", modelDir.toString(), "--messages", f.toString(), "--max-new-tokens", "12",
                "--json", "--device", "cpu", "--threads", "2").getFirst();
        String url = "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(image));
        ChatCompletionCreateParams p = ChatCompletionCreateParams.builder().model("tiny-tied-f32").temperature(0.0).maxCompletionTokens(12)
                .addMessage(ChatCompletionUserMessageParam.builder().contentOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url(url).build()).build()),
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("Describe.").build()))).build())
                .build();
        ChatCompletion c = client.chat().completions().create(p);
        assertEquals(g.get("prompt_ids").size(), c.usage().orElseThrow().promptTokens(), "the image's tokens are in the prompt");
        assertEquals(g.get("text").asText(), c.choices().getFirst().message().content().orElseThrow());

        // a local path is refused: this server was not given an image directory
        ChatCompletionCreateParams local = ChatCompletionCreateParams.builder().model("tiny-tied-f32")
                .addMessage(ChatCompletionUserMessageParam.builder().contentOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url(image.toString()).build()).build()))).build())
                .build();
        BadRequestException e = assertThrows(BadRequestException.class, () -> client.chat().completions().create(local));
        assertEquals("messages[0].content[0].image_url.url", e.param().orElseThrow());
    }

    private static ChatCompletionCreateParams imageRequest(String url) {
        return ChatCompletionCreateParams.builder().model("tiny-tied-f32").temperature(0.0).maxCompletionTokens(4)
                .addMessage(ChatCompletionUserMessageParam.builder().contentOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url(url).build()).build()),
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("Describe.").build()))).build())
                .build();
    }

    @Test
    void withAnImageDirectoryFilesInsideItAreReadAndNoOthers() throws Exception {
        Path images = OracleFixtures.path("images");
        try (Server s = Server.start(ServerConfig.of(modelDir).withPort(0).withDevice("cpu", 2).withLocalImageDir(images))) {
            OpenAIClient c = ServeFixture.client(s, null);
            String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(images.resolve("tiny_20x20.png")));
            ChatCompletion byData = c.chat().completions().create(imageRequest(dataUrl));
            ChatCompletion byPath = c.chat().completions().create(imageRequest("tiny_20x20.png"));
            assertEquals(byData.usage().orElseThrow().promptTokens(), byPath.usage().orElseThrow().promptTokens());
            assertEquals(byData.choices().getFirst().message().content(), byPath.choices().getFirst().message().content());
            for (String outside : List.of("../prompts/prompts.json", images.getParent().resolve("prompts/prompts.json").toString())) {
                BadRequestException e = assertThrows(BadRequestException.class, () -> c.chat().completions().create(imageRequest(outside)));
                assertTrue(e.getMessage().contains("inside the server's image directory"), e.getMessage());
                assertEquals("messages[0].content[0]", e.param().orElseThrow());
            }
        }
    }

    @Test
    void refusalsCarryTheStatusAndErrorBodyOpenAiSends() throws Exception {
        UnauthorizedException noKey = assertThrows(UnauthorizedException.class,
                () -> ServeFixture.client(server, null).chat().completions().create(chat().build()));
        assertEquals("invalid_api_key", noKey.code().orElseThrow());
        assertThrows(UnauthorizedException.class, () -> ServeFixture.client(server, KEY + "x").models().list());
        assertEquals(401, raw(server, "GET", "/metrics", null, null).statusCode());
        assertEquals(200, raw(server, "GET", "/health", null, null).statusCode(), "liveness needs no key");

        BadRequestException unknown = assertThrows(BadRequestException.class,
                () -> client.chat().completions().create(chat().model("gpt-4o").build()));
        assertEquals("model_not_found", unknown.code().orElseThrow());
        assertEquals("model", unknown.param().orElseThrow());
        BadRequestException hot = assertThrows(BadRequestException.class,
                () -> client.chat().completions().create(chat().temperature(3.0).build()));
        assertEquals("temperature", hot.param().orElseThrow());
        assertEquals("max_tokens", assertThrows(BadRequestException.class,
                () -> client.chat().completions().create(chat().maxCompletionTokens(1_000_000).build())).param().orElseThrow());

        HttpResponse<String> bad = raw(server, "POST", "/v1/chat/completions", "{\"model\": \"tiny-tied-f32\", \"messages\": [", KEY);
        assertEquals(400, bad.statusCode());
        JsonNode err = M.readTree(bad.body()).get("error");
        assertEquals("invalid_request_error", err.get("type").asText());
        assertTrue(err.get("message").asText().contains("not valid JSON"), bad.body());
        assertTrue(err.has("param") && err.get("param").isNull() && err.has("code"), bad.body());

        OpenAIServiceException big = assertThrows(OpenAIServiceException.class,
                () -> client.chat().completions().create(chat().addUserMessage("x".repeat((int) LIMIT)).build()));
        assertEquals(413, big.statusCode());
        assertEquals("request_too_large", big.code().orElseThrow());

        HttpResponse<String> huge = ServeFixture.HTTP.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + server.port() + "/v1/models")).header("X-Padding", "p".repeat(20_000)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(431, huge.statusCode(), "headers past Jetty's limit");
        assertEquals("invalid_request_error", M.readTree(huge.body()).get("error").get("type").asText(), huge.body());

        assertEquals(404, raw(server, "GET", "/v1/nothing", null, KEY).statusCode());
        assertEquals(405, raw(server, "GET", "/v1/chat/completions", null, KEY).statusCode());

        String metrics = raw(server, "GET", "/metrics", null, KEY).body();
        assertTrue(metrics.contains("pulsemind_requests_total{endpoint=\"/v1/chat/completions\",code=\"413\"} 1"), metrics);
        assertTrue(metrics.contains("pulsemind_requests_total{endpoint=\"/v1/chat/completions\",code=\"401\"} 1"), metrics);
    }

    @Test
    void modelsListTheServedModel() {
        List<Model> models = client.models().list().data();
        assertEquals(List.of("tiny-tied-f32"), models.stream().map(Model::id).toList());
        assertEquals("tiny-tied-f32", client.models().retrieve("tiny-tied-f32").id());
    }
}
