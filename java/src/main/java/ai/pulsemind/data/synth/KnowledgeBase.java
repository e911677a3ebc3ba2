package ai.pulsemind.data.synth;

import ai.pulsemind.data.Records;
import ai.pulsemind.data.synth.render.LabReportRenderer;
import ai.pulsemind.data.synth.render.Renderer;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The synthetic generator's medical knowledge: departments with sub-specialties, question topics, and conditions
 * (datasets/knowledge/*.json, shipped in the jar). Loading checks it whole: every reference resolves, every
 * signature key is one its renderer knows, and look-alikes drawn in the same modality have different signatures
 * (otherwise the image could not tell them apart). Errors name the file and condition.
 */
public final class KnowledgeBase {
    /** A department, its names, and its sub-specialties by id. */
    public record Department(String id, Bi name, Map<String, Bi> subspecialties) {}

    /** A history topic: the question a doctor asks and the words that show a question is about it. */
    public record Topic(String id, Bi question, List<String> keywordsEn, List<String> keywordsZh) {
        public List<String> keywords(String lang) { return lang.equals("zh") ? keywordsZh : keywordsEn; }
    }

    public static final int MIN_CONDITIONS = 60, MIN_DEPARTMENTS = 10, MIN_SUBSPECIALTIES = 30;

    private final Map<String, Department> departments;
    private final Map<String, Topic> topics;
    private final List<Condition> conditions;
    private final Map<String, Condition> byId = new LinkedHashMap<>();

    private KnowledgeBase(Map<String, Department> d, Map<String, Topic> t, List<Condition> c) {
        departments = d;
        topics = t;
        conditions = List.copyOf(c);
        for (Condition x : c) byId.put(x.id(), x);
    }

    public List<Condition> conditions() { return conditions; }
    public Map<String, Department> departments() { return departments; }
    public Map<String, Topic> topics() { return topics; }

    public Condition condition(String id) {
        Condition c = byId.get(id);
        if (c == null) throw new IllegalArgumentException("no condition '" + id + "' in the knowledge base");
        return c;
    }

    public Topic topic(String id) { return topics.get(id); }

    public int subspecialtyCount() { return departments.values().stream().mapToInt(d -> d.subspecialties().size()).sum(); }

    /** The knowledge base inside the jar. */
    public static KnowledgeBase bundled() {
        return load(name -> {
            InputStream in = KnowledgeBase.class.getResourceAsStream("/ai/pulsemind/data/knowledge/" + name);
            if (in == null) throw new IOException("knowledge/" + name + " is missing from the jar (build problem)");
            return in;
        });
    }

    /** A knowledge base in a folder (for editing it without a rebuild: {@code data synth --knowledge DIR}). */
    public static KnowledgeBase fromDirectory(Path dir) {
        return load(name -> Files.newInputStream(dir.resolve(name)));
    }

    interface Source { InputStream open(String name) throws IOException; }

    static KnowledgeBase load(Source src) {
        JsonNode depts = read(src, "departments.json"), tops = read(src, "topics.json");
        Map<String, Topic> topics = new LinkedHashMap<>();
        tops.properties().forEach(e -> {
            JsonNode kw = e.getValue().get("kw");
            topics.put(e.getKey(), new Topic(e.getKey(), Bi.of(e.getValue().get("q"), "topics.json: " + e.getKey() + ".q"),
                    strings(kw.get(0)), strings(kw.get(1))));
        });
        Map<String, Department> departments = new LinkedHashMap<>();
        List<Condition> conditions = new ArrayList<>();
        for (JsonNode d : depts) {
            String id = d.get("id").asText();
            Map<String, Bi> subs = new LinkedHashMap<>();
            d.get("subspecialties").properties().forEach(e -> subs.put(e.getKey(), Bi.of(e.getValue(), "departments.json: " + id + "." + e.getKey())));
            departments.put(id, new Department(id, Bi.of(d.get("name"), "departments.json: " + id), subs));
            String file = d.get("file").asText();
            for (JsonNode c : read(src, file)) conditions.add(condition(c, id, subs.keySet(), topics.keySet(), file));
        }
        KnowledgeBase kb = new KnowledgeBase(departments, topics, conditions);
        kb.check();
        return kb;
    }

    private static Condition condition(JsonNode c, String dept, Set<String> subs, Set<String> topics, String file) {
        String id = c.path("id").asText();
        String w = file + ": " + id;
        try {
            String sub = c.get("sub").asText();
            if (!subs.contains(sub)) throw new IllegalArgumentException("sub-specialty '" + sub + "' is not in department " + dept);
            List<Condition.Fact> facts = new ArrayList<>();
            for (JsonNode f : c.get("facts")) {
                if (!topics.contains(f.get(0).asText())) throw new IllegalArgumentException("fact topic '" + f.get(0).asText() + "' is not in topics.json");
                facts.add(new Condition.Fact(f.get(0).asText(), f.get(1).asInt() == 1, Bi.of(f.get(2).isArray() ? f.get(2) : arr(f.get(2), f.get(3)), w + ".facts")));
            }
            String modality = c.get("modality").asText();
            JsonNode sig = c.get("signature");
            Set<String> keys = Renderer.of(modality).keys();
            sig.fieldNames().forEachRemaining(k -> {
                if (!keys.contains(k)) throw new IllegalArgumentException("signature key '" + k + "' is not one the " + modality + " renderer knows: " + keys);
            });
            JsonNode labs = c.get("labs");
            for (JsonNode l : new JsonNode[] {labs, modality.equals("lab_report") ? sig : null}) {
                if (l == null) continue;
                l.path("abnormal").fieldNames().forEachRemaining(a -> known(a));
                l.path("normal").forEach(a -> known(a.asText()));
            }
            JsonNode age = c.get("age");
            Condition out = new Condition(id, dept, sub, Bi.of(c.get("name"), w + ".name"), age.get(0).asInt(), age.get(1).asInt(),
                    c.path("sex").asText("any"), bis(c.get("complaints"), w + ".complaints"), facts, bis(c.get("findings"), w + ".findings"),
                    modality, sig, Bi.of(c.get("visual"), w + ".visual"), labs, strings(c.get("differentials")),
                    bis(c.get("tests"), w + ".tests"), bis(c.get("advice"), w + ".advice"), bis(c.get("red_flags"), w + ".red_flags"));
            if (out.complaints().isEmpty() || out.keyFacts().isEmpty() || out.advice().isEmpty() || out.tests().isEmpty() || out.redFlags().isEmpty())
                throw new IllegalArgumentException("needs at least one complaint, key fact, test, advice and red flag");
            if (out.ageMin() > out.ageMax()) throw new IllegalArgumentException("age range " + age + " is empty");
            return out;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("knowledge base " + w + ": " + e.getMessage(), e);
        }
    }

    private static void known(String analyte) {
        if (!LabReportRenderer.ANALYTES.containsKey(analyte))
            throw new IllegalArgumentException("unknown lab analyte '" + analyte + "'; known: " + LabReportRenderer.ANALYTES.keySet());
    }

    /** Whole-base rules: sizes, unique ids, differentials resolve, same-modality look-alikes look different. */
    private void check() {
        Set<String> ids = new HashSet<>();
        for (Condition c : conditions) if (!ids.add(c.id())) throw new IllegalArgumentException("knowledge base: duplicate condition id '" + c.id() + "'");
        for (Condition c : conditions)
            for (String d : c.differentials()) {
                Condition o = byId.get(d);
                if (o == null) throw new IllegalArgumentException("knowledge base " + c.id() + ": differential '" + d + "' is not a condition");
                if (o.id().equals(c.id())) throw new IllegalArgumentException("knowledge base " + c.id() + ": lists itself as a differential");
                if (o.modality().equals(c.modality()) && o.signature().equals(c.signature()))
                    throw new IllegalArgumentException("knowledge base " + c.id() + " and " + d + ": same " + c.modality()
                            + " signature, so the image cannot tell them apart");
            }
        if (conditions.size() < MIN_CONDITIONS || departments.size() < MIN_DEPARTMENTS || subspecialtyCount() < MIN_SUBSPECIALTIES)
            throw new IllegalArgumentException("knowledge base too small: " + conditions.size() + " conditions, " + departments.size()
                    + " departments, " + subspecialtyCount() + " sub-specialties (need " + MIN_CONDITIONS + "/" + MIN_DEPARTMENTS + "/" + MIN_SUBSPECIALTIES + ")");
        for (Department d : departments.values())
            for (String s : d.subspecialties().keySet())
                if (conditions.stream().noneMatch(c -> c.subspecialty().equals(s)))
                    throw new IllegalArgumentException("knowledge base: sub-specialty " + d.id() + "/" + s + " has no condition");
    }

    private static JsonNode read(Source src, String name) {
        try (InputStream in = src.open(name)) {
            return Records.MAPPER.readTree(in);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("knowledge base: " + name + ": " + ai.pulsemind.data.Json.describe(e), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("knowledge base: cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode arr(JsonNode a, JsonNode b) { return Records.MAPPER.createArrayNode().add(a).add(b); }

    private static List<Bi> bis(JsonNode a, String where) {
        List<Bi> out = new ArrayList<>();
        if (a != null) for (int i = 0; i < a.size(); i++) out.add(Bi.of(a.get(i), where + "[" + i + "]"));
        return out;
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        if (a != null) a.forEach(x -> out.add(x.asText()));
        return out;
    }
}
