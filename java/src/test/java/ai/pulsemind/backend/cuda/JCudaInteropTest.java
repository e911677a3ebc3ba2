package ai.pulsemind.backend.cuda;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JCuda pointer plumbing (no device needed: JCuda's Java classes load without their natives). */
class JCudaInteropTest {
    @Test
    void deviceAddressesRoundTrip() {
        long addr = 0x7f12_3456_7800L;
        CUdeviceptr p = JCudaInterop.pointer(addr);
        assertEquals(addr, JCudaInterop.address(p));
        assertTrue(p.toString().contains(Long.toHexString(addr)), p.toString());
        // JCuda's own offset pointers resolve to base + offset
        CUdeviceptr q = p.withByteOffset(256);
        assertEquals(addr + 256, JCudaInterop.address(q));
    }

    @Test
    void streamHandlesRoundTrip() {
        CUstream s = new CUstream();
        assertEquals(0, JCudaInterop.handle(s), "the default stream");
        CudaStream ours = CudaStream.wrap(null, 0x5555_0000L);
        CUstream back = JCudaInterop.unwrap(ours);
        assertEquals(0x5555_0000L, JCudaInterop.handle(back));
        ours.close(); // a wrapped stream is not destroyed (no driver call is made)
    }
}
