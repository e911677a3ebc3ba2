package ai.pulsemind.backend.cuda;

/**
 * A failed CUDA driver or cuBLASLt call: the call's name, its numeric status and the library's name for it
 * (e.g. {@code cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory}).
 */
public class CudaException extends RuntimeException {
    private final String call;
    private final int status;

    public CudaException(String call, int status, String statusName, String detail) {
        super(call + " failed: " + statusName + " (" + status + ")" + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.call = call;
        this.status = status;
    }

    public CudaException(String message) {
        super(message);
        this.call = null;
        this.status = 0;
    }

    /** The native function that failed, or null for errors raised on the Java side. */
    public String call() { return call; }

    /** The CUresult / cublasStatus_t value (0 for errors raised on the Java side). */
    public int status() { return status; }
}
