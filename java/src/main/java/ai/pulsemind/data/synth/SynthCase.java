package ai.pulsemind.data.synth;

import ai.pulsemind.data.Counterpart;
import ai.pulsemind.data.Diagnosis;
import ai.pulsemind.data.Fact;
import ai.pulsemind.data.ImageRef;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Modality;
import ai.pulsemind.data.Quality;
import ai.pulsemind.data.synth.render.Renderer;
import ai.pulsemind.data.synth.render.Sig;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Makes case {@code index} of a seed: plan, images (PNG bytes), the record with its reference and counterparts. */
final class SynthCase {
    /** A generated case: its record and the image files it refers to (path → PNG bytes). */
    record Made(MediRecord record, Map<String, byte[]> images) {}

    private SynthCase() {}

    static Made make(KnowledgeBase kb, SynthOptions opt, long index) {
        SplittableRandom r = new SplittableRandom(mix(opt.seed(), index));
        CasePlan plan = plan(kb, opt, r);
        Condition c = plan.condition();
        String lang = plan.lang();
        String id = String.format("synth-%d-%06d", opt.seed(), index);
        String dir = "images/" + id + "/";
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<ImageRef> images = new ArrayList<>();
        files.put(dir + CasePlan.PRIMARY + ".png", png(Renderer.of(c.modality()).render(new Sig(c.signature()), r.split())));
        images.add(new ImageRef(CasePlan.PRIMARY, dir + CasePlan.PRIMARY + ".png", c.modality()));
        if (plan.hasLabImage()) {
            files.put(dir + CasePlan.LAB + ".png", png(Renderer.of(Modality.LAB_REPORT).render(new Sig(c.labs()), r.split())));
            images.add(new ImageRef(CasePlan.LAB, dir + CasePlan.LAB + ".png", Modality.LAB_REPORT));
        }
        List<Fact> facts = new ArrayList<>();
        for (Condition.Fact f : c.facts()) {
            KnowledgeBase.Topic t = kb.topic(f.topic());
            facts.add(new Fact(f.topic(), t.question().in(lang), f.answer().in(lang), t.keywords(lang), f.key()));
        }
        List<Counterpart> cps = counterparts(kb, plan, opt.counterparts(), r);
        KnowledgeBase.Department d = kb.departments().get(c.department());
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("condition", c.id());
        meta.put("template", plan.template());
        meta.put("age", plan.age());
        meta.put("sex", plan.sex());
        MediRecord rec = MediRecord.builder(id, lang).department(d.name().in(lang))
                .subspecialty(d.subspecialties().get(c.subspecialty()).in(lang)).turns(DialogueWriter.write(kb, plan, Style.REFERENCE))
                .images(images)
                .diagnosis(new Diagnosis(c.name().in(lang), c.id(), plan.differentials().stream().map(x -> x.name().in(lang)).toList()))
                .facts(facts).counterparts(cps).split(Splits.of(plan.template())).source("pulsemind-synth seed=" + opt.seed())
                .meta(meta).build();
        return new Made(rec, files);
    }

    static CasePlan plan(KnowledgeBase kb, SynthOptions opt, SplittableRandom r) {
        Condition c = kb.conditions().get(r.nextInt(kb.conditions().size()));
        String lang = opt.lang().equals("both") ? (r.nextBoolean() ? "en" : "zh") : opt.lang();
        int age = r.nextInt(c.ageMin(), c.ageMax() + 1);
        String sex = c.sex().equals("any") ? (r.nextBoolean() ? "female" : "male") : c.sex();
        List<Condition.Fact> facts = new ArrayList<>(c.keyFacts());
        List<Condition.Fact> extra = c.facts().stream().filter(f -> !f.key()).toList();
        if (!extra.isEmpty() && r.nextDouble() < 0.5) facts.add(extra.get(r.nextInt(extra.size())));
        List<Condition> diffs = c.differentials().stream().map(kb::condition).toList();
        // A misreading names the look-alike the image is most easily confused with: same modality first.
        Condition wrong = diffs.stream().filter(x -> x.modality().equals(c.modality())).findFirst().orElse(diffs.getFirst());
        return new CasePlan(c, lang, age, sex, r.nextInt(c.complaints().size()), r.nextInt(4), facts, r.nextDouble() < 0.6 ? 1 : 2,
                c.labs() != null && r.nextDouble() < 0.7, r.nextDouble() < 0.35, r.nextInt(3), diffs.subList(0, Math.min(2, diffs.size())), wrong);
    }

    /** C counterparts with distinct main flaws, some with a compatible second flaw; shuffled so order says nothing. */
    static List<Counterpart> counterparts(KnowledgeBase kb, CasePlan plan, int n, SplittableRandom r) {
        List<Flaw> pool = new ArrayList<>(List.of(Flaw.values()));
        shuffle(pool, r);
        List<Counterpart> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            EnumSet<Flaw> flaws = EnumSet.of(pool.get(k));
            if (r.nextDouble() < 0.3) {
                Flaw second = Flaw.values()[r.nextInt(Flaw.values().length)];
                if (Flaw.compatible(pool.get(k), second)) flaws.add(second);
            }
            out.add(new Counterpart("counterpart-" + (k + 1), DialogueWriter.write(kb, plan, new Style(flaws)), quality(pool.get(k), flaws)));
        }
        return out;
    }

    /** Per dimension the worst of the flaws; overall their mean, one lower per extra flaw. Main flaw listed first. */
    static Quality quality(Flaw main, EnumSet<Flaw> flaws) {
        int p = 5, a = 5, u = 5, l = 5;
        for (Flaw f : flaws) { p = Math.min(p, f.proactiveness); a = Math.min(a, f.accuracy); u = Math.min(u, f.usefulness); l = Math.min(l, f.language); }
        int overall = Math.max(1, (int) Math.round((p + a + u + l) / 4.0) - (flaws.size() - 1));
        List<String> labels = new ArrayList<>(List.of(main.label()));
        flaws.stream().filter(f -> f != main).forEach(f -> labels.add(f.label()));
        return new Quality(p, a, u, l, overall, labels);
    }

    static <T> void shuffle(List<T> l, SplittableRandom r) {
        for (int i = l.size() - 1; i > 0; i--) { int j = r.nextInt(i + 1); T t = l.get(i); l.set(i, l.get(j)); l.set(j, t); }
    }

    /** PNG bytes; grey images (all of CT, MRI, X-ray, ultrasound) as 8-bit grey, a third of the size and time. */
    static byte[] png(BufferedImage im) {
        try {
            ByteArrayOutputStream o = new ByteArrayOutputStream(64 << 10);
            if (!ImageIO.write(grayIfGray(im), "png", o)) throw new IllegalStateException("no PNG writer");
            return o.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BufferedImage grayIfGray(BufferedImage im) {
        int w = im.getWidth(), h = im.getHeight();
        int[] px = im.getRGB(0, 0, w, h, null, 0, w);
        byte[] g = new byte[px.length];
        for (int i = 0; i < px.length; i++) {
            int p = px[i], r = (p >> 16) & 255;
            if (r != ((p >> 8) & 255) || r != (p & 255)) return im;
            g[i] = (byte) r;
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        out.getRaster().setDataElements(0, 0, w, h, g);
        return out;
    }

    /** Case seeds: SplitMix64 of (seed, index), so cases are independent and any one can be made alone. */
    static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
