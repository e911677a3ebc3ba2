package ai.pulsemind.cli;

import ai.pulsemind.data.Counterpart;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Records;
import ai.pulsemind.judge.SynthSet;
import ai.pulsemind.remote.FakeOpenAiEndpoint;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pulsemind judge pairs} end to end: the rubric on the shipped sample, an endpoint judge on a loopback server, bad input. */
class JudgeCommandTest {
    static final ObjectMapper M = new ObjectMapper();

    /** Each sample record's consultation against each of its counterparts, with the record as reference; one malformed line third. */
    static Path pairs(Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        for (MediRecord r : SynthSet.read(SynthSet.mini())) {
            for (Counterpart cp : r.counterparts()) {
                ObjectNode o = M.createObjectNode();
                o.put("id", r.id() + "/" + cp.model());
                o.putArray("context").addObject().put("role", "user").put("content", r.turns().getFirst().text());
                o.putObject("reference").set("record", Records.MAPPER.valueToTree(r));
                o.putObject("a").set("turns", Records.MAPPER.valueToTree(r.turns()));
                o.putObject("b").set("turns", Records.MAPPER.valueToTree(cp.turns()));
                lines.add(o.toString());
                if (lines.size() == 2) lines.add("{\"id\": \"broken\", \"context\": [], \"a\": \"x\", \"b\": \"y\"}");
            }
        }
        Path f = dir.resolve("pairs.jsonl");
        Files.write(f, lines);
        return f;
    }

    static GenerateCommandTest.Run run(String... args) { return GenerateCommandTest.run(args); }

    static List<JsonNode> read(Path f) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(f)) out.add(M.readTree(l));
        return out;
    }

    @Test
    void rubricJudgesEveryPairInBothOrdersSkipsTheBadLineAndRerunsFromTheCache(@TempDir Path tmp) throws Exception {
        Path in = pairs(tmp), out = tmp.resolve("out/judgments.jsonl"), cache = tmp.resolve("verdicts.sqlite");
        int good = (int) Files.readAllLines(in).size() - 1;
        GenerateCommandTest.Run r = run("judge", "pairs", "--input", in.toString(), "--out", out.toString(), "--judge", "rubric", "--cache", cache.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains(in + ":3") && r.err().contains("reference"), "the malformed line is named: " + r.err());
        assertTrue(r.err().contains("judged " + good + " pairs with rubric: " + good + " with verdicts, 0 failed, 1 input line(s) skipped; "
                + 2 * good + " judge calls, 0 from the cache"), r.err());
        assertTrue(r.err().contains("flip rate 0.0%"), "the rubric is symmetric: " + r.err());
        List<JsonNode> js = read(out);
        assertEquals(good, js.size());
        int refWins = 0;
        for (JsonNode j : js) {
            assertFalse(j.has("error"), j.toString());
            for (String d : List.of("proactiveness", "accuracy", "usefulness", "language")) {
                assertTrue(List.of("A", "tie", "B").contains(j.get("verdicts").get(d).asText()), j.toString());
                assertTrue(j.get("orders").get("ab").get(d).has("verdict") && j.get("orders").get("ba").get(d).has("verdict"), "both orders' raw verdicts");
                if (j.get("verdicts").get(d).asText().equals("A")) refWins++;
            }
        }
        assertTrue(refWins > 2 * good, "the real doctor wins most dimensions against the counterparts: " + refWins + " of " + 4 * good);

        GenerateCommandTest.Run again = run("judge", "pairs", "--input", in.toString(), "--out", out.toString(), "--judge", "rubric", "--cache", cache.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("0 judge calls, " + 2 * good + " from the cache"), again.err());
        List<JsonNode> rerun = read(out);
        assertTrue(rerun.stream().allMatch(j -> j.get("orders").get("ab").get("cached").asBoolean()));
        js.forEach(JudgeCommandTest::stripCached);
        rerun.forEach(JudgeCommandTest::stripCached);
        assertEquals(js, rerun, "a rerun from the cache gives the same judgments");
    }

    /** A line without its cache flags (a rerun's are all true). */
    static void stripCached(JsonNode j) {
        JsonNode orders = j.get("orders");
        if (orders != null) orders.forEach(o -> ((ObjectNode) o).remove("cached"));
    }

    @Test
    void anEndpointJudgeWithTheFlagsTheIssueNames(@TempDir Path tmp) throws Exception {
        Path in = pairs(tmp), out = tmp.resolve("j.jsonl");
        String verdict = "```json\n{\"proactiveness\": \"A\", \"accuracy\": \"A\", \"usefulness\": \"tie\", \"language\": \"B\"}\n```";
        try (FakeOpenAiEndpoint ep = FakeOpenAiEndpoint.start(FakeOpenAiEndpoint.Options.clean(5), req -> verdict)) {
            GenerateCommandTest.Run r = run("judge", "pairs", "--input", in.toString(), "--out", out.toString(), "--judge", "openai:" + ep.baseUrl(),
                    "--judge-model", "fake-judge", "--concurrency", "4", "--single-order");
            assertEquals(0, r.code(), r.err());
            int good = Files.readAllLines(in).size() - 1;
            assertEquals(good, ep.chatRequests(), "single order: one request per pair");
            assertTrue(ep.maxInFlight() <= 4, "--concurrency 4: " + ep.maxInFlight());
            assertTrue(ep.requests().stream().allMatch(b -> b.get("model").asText().equals("fake-judge")));
            JsonNode first = read(out).getFirst();
            assertEquals("openai:fake-judge", first.get("judge").asText());
            assertEquals("B", first.get("verdicts").get("language").asText());
            assertFalse(first.get("orders").has("ba"), "single order asks a-first only");

            // a jury of the rubric and the endpoint, the model named in the spec, both orders: the endpoint answers
            // the same whatever the order, so its A and B verdicts flip (and become ties); its tie stays a tie
            Path jury = tmp.resolve("jury.jsonl");
            GenerateCommandTest.Run jr = run("judge", "pairs", "--input", in.toString(), "--out", jury.toString(),
                    "--judge", "jury:rubric,openai:" + ep.baseUrl() + ",model=fake-judge");
            assertEquals(0, jr.code(), jr.err());
            JsonNode j = read(jury).getFirst();
            assertEquals(2, j.get("members").size());
            assertEquals("rubric", j.get("members").get(0).get("judge").asText());
            assertEquals(List.of("proactiveness", "accuracy", "language"), M.convertValue(j.get("members").get(1).get("flips"), List.class));
            for (String d : List.of("proactiveness", "accuracy", "usefulness", "language"))
                assertEquals("tie", j.get("members").get(1).get("verdicts").get(d).asText());
        }
    }

    @Test
    void badInputAndUnreachableEndpointsGiveOneLineErrors(@TempDir Path tmp) throws Exception {
        Path in = pairs(tmp), out = tmp.resolve("j.jsonl");
        int port;
        try (ServerSocket s = new ServerSocket(0)) { port = s.getLocalPort(); }
        String url = "http://127.0.0.1:" + port + "/v1";
        long t0 = System.nanoTime();
        assertError(url + " is unreachable", "judge", "pairs", "--input", in.toString(), "--out", out.toString(), "--judge", "openai:" + url, "--judge-model", "m");
        assertTrue((System.nanoTime() - t0) / 1e9 < 30, "fails fast");
        assertFalse(Files.exists(out), "nothing written when the judge cannot start");
        assertError("name the served model with --judge-model", "judge", "pairs", "--input", in.toString(), "--out", out.toString(), "--judge", "openai:" + url);
        assertError("--concurrency must be >= 1, got 0", "judge", "pairs", "--input", in.toString(), "--out", out.toString(), "--judge", "rubric", "--concurrency", "0");
        assertError("--judge-max-tokens must be >= 16, got 4", "judge", "pairs", "--input", in.toString(), "--out", out.toString(), "--judge", "rubric", "--judge-max-tokens", "4");
        assertError("--input " + tmp.resolve("none.jsonl") + ": no such file", "judge", "pairs", "--input", tmp.resolve("none.jsonl").toString(), "--out", out.toString(), "--judge", "rubric");
        assertError("--judge 'gpt4': expected rubric, openai:BASE_URL, local:MODEL_DIR or jury:SPEC,SPEC", "judge", "pairs", "--input", in.toString(), "--out", out.toString(), "--judge", "gpt4");
        assertError("a jury needs at least two members", "judge", "pairs", "--input", in.toString(), "--out", out.toString(), "--judge", "jury:rubric");
        assertError("key-env=NO_SUCH_VARIABLE_FOR_TESTS: the environment variable is not set", "judge", "pairs", "--input", in.toString(), "--out", out.toString(),
                "--judge", "openai:" + url + ",model=m,key-env=NO_SUCH_VARIABLE_FOR_TESTS");
    }

    @Test
    void helpNamesTheFlagsAndDefaults() {
        GenerateCommandTest.Run r = run("judge", "pairs", "--help");
        assertEquals(0, r.code());
        for (String s : List.of("--input", "--out", "--judge", "--judge-model", "--concurrency", "(default 16)", "--single-order", "--cache"))
            assertTrue(r.out().contains(s), s + " in\n" + r.out());
    }

    static void assertError(String part, String... args) { EvalPublicCommandTest.assertError(part, args); }
}
