package ai.pulsemind.backend.cuda;

import ai.pulsemind.backend.OpChecks;
import ai.pulsemind.tensor.DType;
import ai.pulsemind.tensor.Shape;
import ai.pulsemind.tensor.Tensor;

import static ai.pulsemind.backend.cuda.LaunchContext.ptr;

/**
 * Batched GEMM through cuBLASLt ({@link CublasMatmul}): bf16 or f32 operands with an f32 or same-dtype output, the
 * bias of a linear layer in the epilogue, and the batch broadcasts of {@code Backend#matmul} mapped onto strided
 * batches, one tall GEMM (a shared weight) or one GEMM per entry.
 */
final class GemmLaunch implements AutoCloseable {
    private final LaunchContext cx;
    private final MemoryLaunch memory;
    private final ElementwiseLaunch elementwise;
    private CublasMatmul blas;

    GemmLaunch(LaunchContext cx, MemoryLaunch memory, ElementwiseLaunch elementwise) {
        this.cx = cx;
        this.memory = memory;
        this.elementwise = elementwise;
    }

    void matmul(Tensor a, boolean ta, Tensor b, boolean tb, Tensor c, float alpha, float beta) {
        run(cx.checks().matmul(a, ta, b, tb, c), a, ta, b, tb, c, null, alpha, beta);
    }

    /** {@code c = op(a)·op(b) + bias}, the bias (N, of c's dtype) added in cuBLASLt's epilogue. */
    void matmulBias(Tensor a, boolean ta, Tensor b, boolean tb, Tensor bias, Tensor c) {
        int[] dims = cx.checks().matmul("matmulBias", a, ta, b, tb, c, bias);
        OpChecks.shape("matmulBias", "bias", bias, Shape.of(c.dim(-1)));
        run(dims, a, ta, b, tb, c, bias, 1f, 0f);
    }

    /** dm = {B, M, N, K, Ba, Bb}. */
    private void run(int[] dm, Tensor a, boolean ta, Tensor b, boolean tb, Tensor c, Tensor bias, float alpha, float beta) {
        int batch = dm[0], m = dm[1], n = dm[2], k = dm[3];
        if (m == 0 || n == 0 || batch == 0) return;
        if (k == 0) { // no products: c = beta * c (+ bias), which cuBLASLt does not accept
            if (beta == 0) memory.fill(c, 0f);
            else elementwise.scale(c, beta, c);
            if (bias != null) elementwise.binary("add", c, bias, c);
            return;
        }
        int at = cudaType(a.dtype()), ct = cudaType(c.dtype());
        if (batch == 1 || (dm[4] == batch && dm[5] == batch)) {
            blas().run(at, ct, new CublasMatmul.Shape(m, n, k, batch, ta, tb, (long) m * k, (long) k * n, (long) m * n),
                    ptr(a), ptr(b), ptr(c), ptr(bias), alpha, beta, cx.stream());
        } else if (dm[5] == 1 && !ta) { // shared b (a weight): the batch is one tall GEMM
            blas().run(at, ct, new CublasMatmul.Shape(batch * m, n, k, 1, false, tb, 0, 0, 0), ptr(a), ptr(b), ptr(c),
                    ptr(bias), alpha, beta, cx.stream());
        } else { // other broadcasts: one GEMM per batch entry, rather than rely on zero batch strides
            long es = a.dtype().byteSize(), cs = c.dtype().byteSize();
            CublasMatmul.Shape one = new CublasMatmul.Shape(m, n, k, 1, ta, tb, 0, 0, 0);
            for (int p = 0; p < batch; p++) {
                long ao = dm[4] == 1 ? 0 : p * (long) m * k * es, bo = dm[5] == 1 ? 0 : p * (long) k * n * es;
                blas().run(at, ct, one, ptr(a) + ao, ptr(b) + bo, ptr(c) + p * (long) m * n * cs, ptr(bias), alpha, beta,
                        cx.stream());
            }
        }
    }

    private CublasMatmul blas() {
        if (blas == null) {
            CudaRuntime rt = cx.runtime();
            if (rt.blas() == null) throw new CudaException("matmul needs cuBLASLt, which was not found: " + rt.blasDetail());
            blas = new CublasMatmul(rt.blas(), cx.allocator());
        }
        return blas;
    }

    private static int cudaType(DType t) {
        return switch (t) {
            case F32 -> CublasLt.CUDA_R_32F;
            case BF16 -> CublasLt.CUDA_R_16BF;
            case F16 -> CublasLt.CUDA_R_16F;
            default -> throw new IllegalArgumentException("no cuBLASLt type for " + t);
        };
    }

    @Override
    public void close() {
        if (blas != null) blas.close();
    }
}
