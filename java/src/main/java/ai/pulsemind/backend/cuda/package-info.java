/**
 * The CUDA backend: hand-written Panama bindings to the driver API ({@code libcuda.so.1}) and cuBLASLt
 * ({@code libcublasLt.so.13}, else {@code .12}), every call checked by name; native resources as
 * {@link java.lang.AutoCloseable}s (context, streams, events, pinned buffers, modules, cuBLASLt plans); a caching
 * device allocator with in-use / reserved / peak statistics; the kernels of {@code cuda-kernels/}, built by nvcc
 * into fatbins shipped in the jar and loaded with {@code cuModuleLoadData}; one launcher per op family
 * ({@code MemoryLaunch}, {@code GemmLaunch}, {@code ElementwiseLaunch}, {@code ReduceLaunch}, {@code NormLaunch},
 * {@code RopeLaunch}, {@code AttentionLaunch}, {@code LogprobLaunch}, {@code SamplingLaunch}, {@code RowsLaunch},
 * {@code OptimLaunch}) over one {@code LaunchContext} (stream, kernel calls, allocator, device info, the argument
 * contract with {@link ai.pulsemind.backend.cuda.CudaDtypes}), which {@link ai.pulsemind.backend.cuda.CudaBackend}
 * only dispatches to; {@link ai.pulsemind.backend.cuda.CudaDiagnostics} for benchmarks (event timing, raw copies,
 * launch plans); and JCuda interop.
 *
 * <p>Discovery: {@link ai.pulsemind.backend.cuda.CudaBackendProvider#probe()} says precisely what is missing
 * (kernels not built, {@code libcuda.so.1} not found, no device, no cuBLASLt) and never fails on a machine
 * without CUDA. GPU tests are the {@code *GpuIT} classes; {@code bin/gpu-verify} runs them and the GPU
 * benchmarks ({@code bench/}, {@code ai.pulsemind.bench.gpu.GpuBench}) on a GPU machine in one command.
 */
package ai.pulsemind.backend.cuda;
