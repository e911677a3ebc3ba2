package ai.pulsemind.data.synth;

import ai.pulsemind.config.InvalidSetting;

import java.util.List;

/**
 * @param cases   how many consultations
 * @param seed    everything (conditions, wording, images) follows from it: same seed, same bytes
 * @param lang    {@code en}, {@code zh} or {@code both} (each case picks one, half and half)
 * @param threads worker threads for rendering; output does not depend on it
 * @param counterparts C, the counterpart transcripts per case (the paper's C = 5)
 */
public record SynthOptions(int cases, long seed, String lang, int threads, int counterparts) {
    public static final List<String> LANGS = List.of("en", "zh", "both");

    public SynthOptions {
        InvalidSetting.atLeast("cases", cases, 1);
        InvalidSetting.require(LANGS.contains(lang), "lang", "must be one of " + LANGS + ", got '" + lang + "'");
        InvalidSetting.atLeast("threads", threads, 1);
        InvalidSetting.require(counterparts >= 0 && counterparts <= Flaw.values().length, "counterparts",
                "must be 0.." + Flaw.values().length + ", got " + counterparts);
    }

    public static SynthOptions of(int cases, long seed, String lang) {
        return new SynthOptions(cases, seed, lang, Runtime.getRuntime().availableProcessors(), 5);
    }
}
