package ai.pulsemind.backend.cpu;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.BackendProvider;
import ai.pulsemind.tensor.Device;

/** The scalar reference backend (one thread): the oracle for tests, selectable with --device cpu-reference. */
public final class ReferenceBackendProvider implements BackendProvider {
    @Override public String name() { return "cpu-reference"; }

    @Override public Availability probe() { return Availability.yes("scalar reference kernels, 1 thread"); }

    @Override public Backend open(Device device, int threads) {
        if (!device.isHost()) throw new IllegalArgumentException("the cpu-reference backend cannot run on " + device);
        return new ReferenceBackend();
    }
}
