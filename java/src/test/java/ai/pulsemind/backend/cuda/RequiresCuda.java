package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.BackendProvider;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a GPU test class: it runs where the CUDA provider's probe says CUDA is usable, and is skipped elsewhere
 * with a reason starting {@value Gate#PREFIX}, which {@link GpuTestListener} counts and prints at the end of the
 * run. With {@code PULSEMIND_REQUIRE_GPU=1} (set by {@code bin/gpu-verify}) an unusable CUDA fails the class
 * instead, so a GPU run can never pass by skipping.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresCuda.Gate.class)
public @interface RequiresCuda {
    final class Gate implements ExecutionCondition {
        static final String PREFIX = "GPU-gated";
        private static final BackendProvider.Availability CUDA = new CudaBackendProvider().probe();

        static boolean required() { return "1".equals(System.getenv("PULSEMIND_REQUIRE_GPU")); }

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (CUDA.available()) return ConditionEvaluationResult.enabled("CUDA: " + CUDA.detail());
            if (required())
                throw new IllegalStateException("PULSEMIND_REQUIRE_GPU=1 but CUDA is unusable here: " + CUDA.detail());
            return ConditionEvaluationResult.disabled(PREFIX + ": no usable CUDA here (" + CUDA.detail() + ")");
        }
    }
}
