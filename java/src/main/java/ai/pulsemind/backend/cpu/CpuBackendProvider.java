package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.BackendProvider;
import ai.pulsemind.tensor.Device;
import jdk.incubator.vector.FloatVector;

/** The fast CPU backend; always available. */
public final class CpuBackendProvider implements BackendProvider {
    @Override public String name() { return "cpu"; }

    @Override public Availability probe() {
        return Availability.yes(Runtime.getRuntime().availableProcessors() + " cores, Vector API "
                + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit");
    }

    @Override public Backend open(Device device, int threads) {
        if (!device.isHost()) throw new IllegalArgumentException("the cpu backend cannot run on " + device);
        return new CpuBackend(threads);
    }
}
