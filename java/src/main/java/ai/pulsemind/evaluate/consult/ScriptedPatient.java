package ai.pulsemind.evaluate.consult;

import ai.pulsemind.data.Fact;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Role;
import ai.pulsemind.data.Turn;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A patient that answers from the record's hidden facts: a fact is revealed when the doctor's reply mentions one of
 * its keywords (and it was not revealed before); the images the record's patient showed are shown when the doctor
 * asks for an image, photo, scan or report. Asked nothing it knows, it says so. Deterministic.
 */
public final class ScriptedPatient implements SimulatedPatient {
    static final List<String> IMAGE_CUES = List.of("image", "photo", "picture", "upload", "scan", "x-ray", "report", "film", "图片", "照片",
            "上传", "报告", "片子", "检查单");

    @Override public String name() { return "scripted"; }

    @Override
    public List<Turn> answer(List<State> states) {
        List<Turn> out = new ArrayList<>();
        for (State s : states) out.add(answer(s));
        return out;
    }

    static Turn answer(State s) {
        MediRecord r = s.record();
        String asked = s.turns().getLast().text().toLowerCase(Locale.ROOT);
        List<String> said = new ArrayList<>();
        for (Fact f : r.facts()) {
            if (s.revealed().contains(f.topic())) continue;
            for (String k : f.keywords())
                if (!k.isBlank() && asked.contains(k.toLowerCase(Locale.ROOT))) {
                    said.add(f.answer());
                    s.revealed().add(f.topic());
                    break;
                }
        }
        List<String> images = new ArrayList<>();
        if (IMAGE_CUES.stream().anyMatch(asked::contains)) {
            Set<String> recorded = new LinkedHashSet<>();
            for (Turn t : r.turns()) if (t.role() == Role.PATIENT) recorded.addAll(t.images());
            for (Turn t : s.turns()) recorded.removeAll(t.images());
            images.addAll(recorded);
        }
        boolean zh = "zh".equals(r.language());
        if (!images.isEmpty()) said.add(zh ? "图片在这里。" : "Here it is.");
        if (said.isEmpty()) said.add(zh ? "这个我不太清楚，没有别的情况了。" : "I'm not sure about that; nothing else comes to mind.");
        return new Turn(Role.PATIENT, String.join(" ", said), images);
    }
}
