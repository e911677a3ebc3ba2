package ai.pulsemind.cli;

import java.util.Locale;

/**
 * How big each stage of {@code pulsemind demo} is for a time budget. The costs below were measured on the machine
 * the demo was written on (AMD EPYC, 2 cores, shared with other builds: load average 4–9, so slower than a quiet
 * machine of the same kind), for the tiny model ({@code model init --shape tiny}, 1.27M parameters):
 * <pre>
 *   synth + model init                          ~10 s, whatever the budget
 *   SFT, full fine-tuning, batch 8 × 512 tokens  ~2.2 s per step
 * </pre>
 * A budget is split so that each stage gets a share and what is left is the margin; every size has a floor that
 * still shows the stage working (the loss falling, a table with intervals), so a very short budget runs at the
 * floors and may take longer than asked.
 *
 * @param minutes   the budget asked for
 * @param cases     consultations synthesised (about 10% land in the held-out test split by template)
 * @param sftSteps  SFT optimiser steps
 * @param sftBatch  SFT samples per step
 * @param maxLength tokens per training sample at most
 */
record DemoPlan(double minutes, int cases, int sftSteps, int sftBatch, int maxLength) {
    /** Measured seconds per SFT step (see above). */
    static final double SFT_STEP_SECONDS = 2.2;
    /** Fixed costs: JVM warm-up, synth, model init, opening models. */
    static final double FIXED_SECONDS = 20;
    /** Shares of the budget after the fixed costs. */
    static final double SFT_SHARE = 0.30;
    /** The default budget: the demo must finish within 15 minutes on 2 cores. */
    static final double DEFAULT_MINUTES = 15, QUICK_MINUTES = 3;

    DemoPlan {
        if (!(minutes > 0)) throw new IllegalArgumentException("--minutes must be > 0, got " + minutes);
    }

    static DemoPlan forMinutes(double minutes) {
        double usable = Math.max(0, minutes * 60 - FIXED_SECONDS);
        int sftSteps = clamp((int) (usable * SFT_SHARE / SFT_STEP_SECONDS), 15, 2000);
        int cases = clamp((int) Math.round(minutes * 20), 60, 5000);
        return new DemoPlan(minutes, cases, sftSteps, 8, 512);
    }

    private static int clamp(int v, int lo, int hi) { return Math.max(lo, Math.min(hi, v)); }

    String describe() {
        return String.format(Locale.ROOT, "%s-minute plan: %d synthetic cases, SFT %d steps × %d samples of ≤ %d tokens",
                minutes == Math.rint(minutes) ? String.valueOf((int) minutes) : String.valueOf(minutes), cases, sftSteps, sftBatch, maxLength);
    }
}
