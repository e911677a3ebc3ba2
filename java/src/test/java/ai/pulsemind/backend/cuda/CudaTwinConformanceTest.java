package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.conformance.Conformance;
import ai.pulsemind.backend.conformance.Parity;
import ai.pulsemind.backend.conformance.Target;
import ai.pulsemind.backend.conformance.Tolerances;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * The conformance suite on the CUDA backend's CPU twin ({@link Bf16Twin}), every CI run: each case in the dtypes
 * the CUDA table admits, through the CUDA dtype rules, with the twin's bf16 storage rounding held to the CUDA
 * tolerance table, on the small cases (they take every case's code and dtypes; the numbers are the reference's).
 * What it proves without a GPU: the table accepts what the cases ask of the GPU, and the case code and bf16
 * tolerances are right; the kernels themselves are ConformanceGpuIT's.
 */
class CudaTwinConformanceTest {
    private static final Target TWIN = new Target("cuda-twin", Bf16Twin.create(), CudaDtypes.RULES, Tolerances::cuda, null, true);

    @TestFactory
    Stream<DynamicNode> cudaTwin() { return Conformance.tests(TWIN); }

    @AfterAll
    static void calibration() { System.out.println(Parity.calibration(TWIN.name(), 10)); }
}
