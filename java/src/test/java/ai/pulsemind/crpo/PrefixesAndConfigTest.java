package ai.pulsemind.crpo;

import ai.pulsemind.data.Counterpart;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Turn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the policy speaks and which counterpart replies answer it; batches by (seed, k); the config's layers. */
class PrefixesAndConfigTest {
    static MediRecord record() {
        List<Turn> turns = List.of(Turn.patient("I have a rash."), Turn.doctor("How long?"), Turn.patient("Two days."), Turn.doctor("Any fever?"));
        return MediRecord.builder("r1", "en").department("Dermatology").turns(turns).counterparts(List.of(
                new Counterpart("same-path", List.of(Turn.patient("I have a rash."), Turn.doctor("How long?"), Turn.patient("Two days."),
                        Turn.doctor("Does it itch?")), null),
                new Counterpart("other-path", List.of(Turn.patient("I have a rash."), Turn.doctor("Show me a photo."),
                        Turn.patient("Here."), Turn.doctor("Looks like eczema.")), null))).build();
    }

    @Test
    void counterpartRepliesAreThoseThatAnsweredTheSameConsultation() {
        MediRecord r = record();
        assertEquals(List.of(new Rewards.Opponent("same-path", "How long?"), new Rewards.Opponent("other-path", "Show me a photo.")),
                Prefixes.counterpartReplies(r, 1));
        assertEquals(List.of(new Rewards.Opponent("same-path", "Does it itch?")), Prefixes.counterpartReplies(r, 3));
        Prefixes p = Prefixes.of(List.of(r), true, false, 1);
        assertEquals(2, p.size());
        assertEquals("r1/t1", p.all().get(0).id());
        assertEquals(1, Prefixes.of(List.of(r), true, true, 1).size());
    }

    @Test
    void batchesAreAFunctionOfSeedAndIndexAndVisitEveryPrefixEachEpoch() {
        List<MediRecord> rs = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) rs.add(record().toBuilder().id("r" + i).build());
        Prefixes a = Prefixes.of(rs, true, false, 3), b = Prefixes.of(rs, true, false, 3);
        assertEquals(10, a.size());
        Set<String> epoch0 = new HashSet<>();
        for (int k = 0; k < 5; k++) for (Prefixes.Prefix p : a.batch(k, 2)) epoch0.add(p.id());
        assertEquals(10, epoch0.size());
        assertEquals(a.batch(7, 3).stream().map(Prefixes.Prefix::id).toList(), b.batch(7, 3).stream().map(Prefixes.Prefix::id).toList());
    }

    @TempDir Path tmp;

    @Test
    void configLayersDefaultsFileAndFlagsAndNamesBadSettings() throws Exception {
        Path f = tmp.resolve("crpo.json");
        Files.writeString(f, "{\"group_size\": 8, \"beta\": 0.1, \"dimension-weights\": \"2,1,1,1\"}");
        CrpoConfig c = CrpoConfig.resolve(f, Map.of("beta", 0.0, "model", "m"));
        assertEquals(8, c.groupSize());
        assertEquals(0.0, c.beta());
        assertEquals(List.of(2.0, 1.0, 1.0, 1.0), c.dimensionWeights());
        assertEquals(CrpoConfig.DEFAULTS.maxNewTokens(), c.maxNewTokens());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CrpoConfig.resolve(null, Map.of("group-sise", 3)));
        assertTrue(e.getMessage().contains("group-sise"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CrpoConfig.resolve(null, Map.of("scale", "sequence")));
        assertTrue(e.getMessage().contains("--scale"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CrpoConfig.resolve(null, Map.of("group-size", 1)));
        assertTrue(e.getMessage().contains("--group-size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CrpoConfig.builder().model("m").data("d").build().requirePaths());
        assertTrue(e.getMessage().contains("--out"), e.getMessage());
        assertEquals(16, CrpoConfig.builder().groupSize(16).build().groupSize());
    }
}
