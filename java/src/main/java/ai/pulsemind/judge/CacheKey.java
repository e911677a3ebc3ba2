package ai.pulsemind.judge;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.Records;
import com.fasterxml.jackson.core.JsonProcessingException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The cache key of one judge call: SHA-256 over the judge's {@link Judge#identity()} (kind, model, prompt hash,
 * parameters), the kind of call, and everything the judge is shown, in the order shown: context (roles, text, image
 * labels), reference (doctor's words, record without counterparts), first and second answer. Fields are
 * length-prefixed, so no two different inputs write the same text.
 *
 * <p>Images enter by their label (path or JSON path), not their bytes: an image replaced in place under the same
 * path keeps its old verdicts. Delete the cache file after changing images.
 */
public final class CacheKey {
    private CacheKey() {}

    public static String compare(String identity, JudgeRequest presented) {
        StringBuilder sb = new StringBuilder();
        field(sb, "compare");
        field(sb, identity);
        context(sb, presented.context());
        reference(sb, presented.reference());
        answer(sb, presented.a());
        answer(sb, presented.b());
        return sha256(sb.toString());
    }

    public static String score(String identity, ScoreRequest r) {
        StringBuilder sb = new StringBuilder();
        field(sb, "score");
        field(sb, identity);
        context(sb, r.context());
        reference(sb, r.reference());
        answer(sb, r.answer());
        return sha256(sb.toString());
    }

    private static void context(StringBuilder sb, Conversation c) {
        field(sb, Integer.toString(c.messages().size()));
        for (Conversation.Message m : c.messages()) {
            field(sb, m.speaker().openAi());
            for (Conversation.Part p : m.parts())
                switch (p) {
                    case Conversation.Text t -> field(sb, "t:" + t.text());
                    case Conversation.Image im -> field(sb, "i:" + im.source().label());
                }
            field(sb, "/");
        }
    }

    private static void reference(StringBuilder sb, Reference r) {
        if (r.doctor() == null) field(sb, "-");
        else answer(sb, r.doctor());
        try {
            field(sb, r.record() == null ? "-" : Records.MAPPER.writeValueAsString(r.record()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("record " + r.record().id() + " does not serialise: " + e.getMessage(), e);
        }
    }

    private static void answer(StringBuilder sb, Answer a) {
        switch (a) {
            case Answer.Reply rep -> field(sb, "reply:" + rep.text());
            case Answer.Transcript t -> {
                try {
                    field(sb, "transcript:" + Records.MAPPER.writeValueAsString(t.turns()));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("transcript does not serialise: " + e.getMessage(), e);
                }
            }
        }
    }

    private static void field(StringBuilder sb, String s) { sb.append(s.length()).append(':').append(s).append('\n'); }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
