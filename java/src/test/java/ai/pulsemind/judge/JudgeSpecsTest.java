package ai.pulsemind.judge;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The judge SPEC grammar: jury members with their options, and what an openai: spec names. */
class JudgeSpecsTest {
    @Test
    void juryMembersKeepTheirOptions() {
        assertEquals(List.of("rubric", "openai:http://h1/v1,model=a,key-env=K1", "openai:http://h2/v1#b", "local:/models/q"),
                JudgeSpecs.members("rubric, openai:http://h1/v1,model=a,key-env=K1,openai:http://h2/v1#b,,local:/models/q"));
    }

    @Test
    void openaiSpecsNameUrlModelAndKeyVariable() {
        JudgeOptions o = JudgeOptions.defaults().withModel("from-flag");
        assertEquals(new JudgeSpecs.Endpoint("http://h/v1", "from-flag", "OPENAI_API_KEY"), JudgeSpecs.endpoint("openai:http://h/v1", o, Map.of()));
        assertEquals(new JudgeSpecs.Endpoint("http://h/v1", "m", "OPENAI_API_KEY"), JudgeSpecs.endpoint("openai:http://h/v1#m", o, Map.of()));
        assertEquals(new JudgeSpecs.Endpoint("http://h/v1", "qwen", "MY_KEY"),
                JudgeSpecs.endpoint("openai:http://h/v1,model=qwen,key-env=MY_KEY", o, Map.of("MY_KEY", "sk")));
        IllegalArgumentException unset = assertThrows(IllegalArgumentException.class,
                () -> JudgeSpecs.endpoint("openai:http://h/v1,model=q,key-env=MY_KEY", o, Map.of()));
        assertTrue(unset.getMessage().contains("key-env=MY_KEY: the environment variable is not set"), unset.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> JudgeSpecs.endpoint("openai:http://h/v1,temp=1", o, Map.of()));
        assertTrue(bad.getMessage().startsWith("--judge openai:http://h/v1,temp=1: option 'temp=1'"), bad.getMessage());
        IllegalArgumentException noModel = assertThrows(IllegalArgumentException.class,
                () -> JudgeSpecs.endpoint("openai:http://h/v1", JudgeOptions.defaults(), Map.of()));
        assertTrue(noModel.getMessage().contains("--judge-model"), noModel.getMessage());
    }
}
