package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.conformance.Conformance;
import ai.pulsemind.backend.conformance.Parity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * The conformance suite on the CUDA backend: every op's cases against the CPU reference, in F32 and BF16 where the
 * op takes them, every attention kernel choice, recorded for the parity report. GPU-gated (counted when skipped;
 * {@code PULSEMIND_REQUIRE_GPU=1} makes a missing GPU fail).
 */
@RequiresCuda
class ConformanceGpuIT {
    static CudaTarget target;

    @BeforeAll static void open() { target = new CudaTarget(CudaTarget.open()); }

    @AfterAll static void close() {
        System.out.println(Parity.calibration(target.name(), 12));
        target.close();
    }

    @TestFactory
    Stream<DynamicNode> cuda() { return Conformance.tests(target); }
}
