package ai.pulsemind.evaluate.consult;

import ai.pulsemind.data.Conversation;
import ai.pulsemind.data.Fact;
import ai.pulsemind.data.Role;
import ai.pulsemind.data.Turn;
import ai.pulsemind.evaluate.models.Replier;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A patient played by a model (through an endpoint or a local checkpoint): its system prompt holds the patient's
 * opening and hidden facts, and it sees the consultation with the roles exchanged (the doctor's turns as the user's).
 * A fact counts as revealed when the patient's reply contains most of the fact's answer words. Images are not shown.
 */
public final class LlmPatient implements SimulatedPatient {
    private final Replier model;
    private final Replier.Decoding decoding;

    public LlmPatient(Replier model, int maxNewTokens) {
        this.model = model;
        this.decoding = Replier.Decoding.greedy(maxNewTokens);
    }

    @Override public String name() { return "llm:" + model.name(); }

    @Override
    public List<Turn> answer(List<State> states) {
        List<Conversation> cs = new ArrayList<>();
        for (State s : states) cs.add(prompt(s));
        List<String> replies = model.reply(cs, decoding);
        List<Turn> out = new ArrayList<>();
        for (int i = 0; i < states.size(); i++) {
            State s = states.get(i);
            String text = replies.get(i).strip();
            for (Fact f : s.record().facts()) if (!s.revealed().contains(f.topic()) && overlaps(text, f.answer())) s.revealed().add(f.topic());
            out.add(Turn.patient(text.isEmpty() ? "..." : text));
        }
        return out;
    }

    static Conversation prompt(State s) {
        boolean zh = "zh".equals(s.record().language());
        StringBuilder sys = new StringBuilder(zh ? "你扮演一位正在线上问诊的患者。只回答医生问到的内容，用患者的口吻，简短。你知道的情况：\n"
                : "You are a patient in an online consultation. Answer only what the doctor asks, briefly, as the patient would. What you know:\n");
        for (Fact f : s.record().facts()) sys.append("- ").append(f.answer()).append('\n');
        sys.append(zh ? "不要说出诊断名称。" : "Never name a diagnosis yourself.");
        Conversation c = Conversation.EMPTY.plus(Conversation.Speaker.SYSTEM, sys.toString());
        for (Turn t : s.turns()) c = c.plus(t.role() == Role.DOCTOR ? Conversation.Speaker.USER : Conversation.Speaker.ASSISTANT, t.text());
        return c;
    }

    static boolean overlaps(String reply, String answer) {
        String r = reply.toLowerCase(Locale.ROOT);
        String[] words = answer.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+");
        int n = 0, hit = 0;
        for (String w : words) if (w.length() > 3) { n++; if (r.contains(w)) hit++; }
        return n == 0 ? r.contains(answer.toLowerCase(Locale.ROOT)) : hit * 2 > n;
    }

    @Override public void close() { model.close(); }
}
