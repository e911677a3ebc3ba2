package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.conformance.Parity;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Prints, at the end of every test run, how many tests were GPU-gated (skipped because CUDA is unusable here)
 * and why, so a skipped GPU suite is always visible; and writes the parity report the GPU tests recorded
 * ({@link Parity#writeReport}). Registered in META-INF/services for surefire, failsafe and the console
 * launcher alike.
 */
public final class GpuTestListener implements TestExecutionListener {
    private TestPlan plan;
    private int gatedTests, gatedClasses;
    private final Set<String> reasons = new LinkedHashSet<>();

    @Override public void testPlanExecutionStarted(TestPlan testPlan) { this.plan = testPlan; }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        if (reason == null || !reason.startsWith(RequiresCuda.Gate.PREFIX)) return;
        count(id, reason);
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (result.getStatus() != TestExecutionResult.Status.ABORTED) return;
        String why = result.getThrowable().map(Throwable::getMessage).orElse("");
        if (why != null && why.contains(RequiresCuda.Gate.PREFIX)) count(id, why.substring(why.indexOf(RequiresCuda.Gate.PREFIX)));
    }

    private void count(TestIdentifier id, String reason) {
        reasons.add(reason);
        if (id.isTest()) {
            gatedTests++;
            return;
        }
        gatedClasses++;
        // parameterised templates expand only when run: count each as one
        long n = plan == null ? 0 : plan.getDescendants(id).stream().filter(d -> d.isTest() || d.isContainer()).count();
        gatedTests += (int) Math.max(1, n);
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (gatedTests > 0)
            System.out.println("[gpu] GPU-gated: " + gatedTests + " test(s)" + (gatedClasses > 0 ? " in " + gatedClasses
                    + " class(es)" : "") + " skipped: " + String.join("; ", reasons));
        Parity.GPU.writeReport();
    }
}
