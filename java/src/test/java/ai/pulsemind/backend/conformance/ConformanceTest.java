package ai.pulsemind.backend.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * The conformance suite on the CPU backends: the fast backend (two threads, so every parallel path runs with real
 * concurrency also on a one-core machine) against the reference under the CPU tolerance table, and the reference
 * against a second instance of itself, exactly (determinism, every output element written).
 */
class ConformanceTest {
    private static final Target FAST = Target.fastCpu(2), REFERENCE = Target.reference();

    @TestFactory
    Stream<DynamicNode> fastCpu() { return Conformance.tests(FAST); }

    @TestFactory
    Stream<DynamicNode> reference() { return Conformance.tests(REFERENCE); }

    @AfterAll
    static void close() {
        System.out.println(Parity.calibration(FAST.name(), 20));
        FAST.close();
        REFERENCE.close();
    }
}
