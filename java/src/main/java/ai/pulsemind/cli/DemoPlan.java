package ai.pulsemind.cli;

import java.util.Locale;

/**
 * How big each stage of {@code pulsemind demo} is for a time budget. The costs below were measured on the machine
 * the demo was written on (AMD EPYC, 2 cores, shared with other builds and test runs at load average 12–18, so well
 * below the speed of a quiet machine of the same kind), for the tiny model ({@code model init --shape tiny}, 1.27M
 * parameters); the constants sit above the medians seen, so a busier machine still fits:
 * <pre>
 *   stage (measured, load 13)                                  seen         used here
 *   synth (350 cases) + model init + first steps, model loads   ~50 s        60 s
 *   SFT, full fine-tuning, batch 8 × 512 tokens                 1.7–2.6 s    2.2 s per step
 *   CRPO, B = 4 prefixes × G = 4 samples of ≤ 64 tokens, LoRA   5.1–8 s      6.5 s per step
 *   eval consult, replay, 3 models, ≤ 64 tokens per turn,       3.0–5.5 s    4.0 s per case
 *     5 counterparts, both orders, whole and per turn
 * </pre>
 * With them the 15-minute default ran in 7.3 min at load 13 with the smaller sizes of an earlier calibration
 * (SFT 100, CRPO 28, 29 cases); the sizes below are expected to take about 12 min by the constants, 10 by the
 * medians.
 * The stages get shares of the budget and the rest is the margin (a fifth); every size has a floor that still
 * shows its stage working, so a very short budget runs at the floors and may take longer than asked.
 *
 * @param minutes      the budget asked for
 * @param cases        consultations synthesised (about 10% land in the held-out test split, by template)
 * @param sftSteps     SFT optimiser steps
 * @param sftBatch     SFT samples per step
 * @param maxLength    tokens per training sample at most
 * @param crpoSteps    CRPO optimiser steps
 * @param crpoBatch    CRPO prefixes per step (B)
 * @param groupSize    CRPO samples per prefix (G)
 * @param maxNewTokens tokens per reply, in CRPO rollouts and in the benchmark
 * @param evalCases    benchmark cases (of the held-out ones)
 */
record DemoPlan(double minutes, int cases, int sftSteps, int sftBatch, int maxLength, int crpoSteps, int crpoBatch,
                int groupSize, int maxNewTokens, int evalCases) {
    static final double SFT_STEP_SECONDS = 2.2, CRPO_STEP_SECONDS = 6.5, EVAL_CASE_SECONDS = 4.0;
    /** Fixed costs: synth, model init, the first CRPO step, opening models. */
    static final double FIXED_SECONDS = 60;
    /** Shares of what is left of the budget after the fixed costs and the margin. */
    static final double SFT_SHARE = 0.40, CRPO_SHARE = 0.35, EVAL_SHARE = 0.25, MARGIN = 0.2;
    /** The default budget: the demo must finish within 15 minutes on 2 cores. */
    static final double DEFAULT_MINUTES = 15, QUICK_MINUTES = 3;

    DemoPlan {
        if (!(minutes > 0)) throw new IllegalArgumentException("--minutes must be > 0, got " + minutes);
    }

    static DemoPlan forMinutes(double minutes) {
        double usable = Math.max(0, minutes * 60 * (1 - MARGIN) - FIXED_SECONDS);
        int sftSteps = clamp((int) (usable * SFT_SHARE / SFT_STEP_SECONDS), 15, 5000);
        int crpoSteps = clamp((int) (usable * CRPO_SHARE / CRPO_STEP_SECONDS), 3, 2000);
        int evalCases = clamp((int) (usable * EVAL_SHARE / EVAL_CASE_SECONDS), 6, 1000);
        int cases = clamp(evalCases * 12, 80, 20_000); // ~1 in 10 is a test case; a few more so that enough are
        return new DemoPlan(minutes, cases, sftSteps, 8, 512, crpoSteps, 4, 4, 64, evalCases);
    }

    private static int clamp(int v, int lo, int hi) { return Math.max(lo, Math.min(hi, v)); }

    /** The seconds these sizes should take by the measured costs. */
    double expectedSeconds() {
        return FIXED_SECONDS + sftSteps * SFT_STEP_SECONDS + crpoSteps * CRPO_STEP_SECONDS + evalCases * EVAL_CASE_SECONDS;
    }

    String describe() {
        return String.format(Locale.ROOT, "%s-minute plan: %d synthetic cases; SFT %d steps × %d samples; CRPO %d steps × %d prefixes × %d "
                        + "samples of ≤ %d tokens; benchmark %d held-out cases (about %.0f min on a loaded 2-core machine)",
                minutes == Math.rint(minutes) ? String.valueOf((int) minutes) : String.valueOf(minutes), cases, sftSteps, sftBatch,
                crpoSteps, crpoBatch, groupSize, maxNewTokens, evalCases, expectedSeconds() / 60);
    }
}
