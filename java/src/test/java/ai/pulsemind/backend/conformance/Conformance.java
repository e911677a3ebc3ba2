package ai.pulsemind.backend.conformance;

import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;

import java.util.List;
import java.util.stream.Stream;

/**
 * The conformance suite: every op family's cases ({@link OpCases}), run on one {@link Target}. Test classes call
 * {@link #tests} from a {@code @TestFactory} per backend present: the reference and the fast CPU backend
 * ({@code ConformanceTest}), the CUDA backend's CPU twin (its dtype rules, every CI run) and the CUDA backend itself
 * (gated on a GPU, counted when skipped; {@code ConformanceGpuIT}).
 */
public final class Conformance {
    /** The families, in the op table's order. A new family is one entry. */
    static final List<OpCases> FAMILIES = List.of(new MemoryCases(), new MatmulCases(), new ElementwiseCases(),
            new NormCases(), new RopeCases(), new AttentionCases(), new LogprobCases(), new SamplingCases(),
            new RowsCases(), new OptimCases());

    private Conformance() {}

    /** One container per family, one test per case, each named after the target. */
    public static Stream<DynamicNode> tests(Target target) {
        return FAMILIES.stream().map(f -> DynamicContainer.dynamicContainer(f.family() + " on " + target.name(),
                f.cases().stream().map(c -> DynamicTest.dynamicTest(c.name() + " on " + target.name(), () -> c.run().accept(target)))));
    }
}
