/**
 * The CUDA backend: hand-written Panama bindings to the driver API ({@code libcuda.so.1}) and cuBLASLt
 * ({@code libcublasLt.so.13}, else {@code .12}), every call checked by name; native resources as
 * {@link java.lang.AutoCloseable}s (context, streams, events, pinned buffers, modules, cuBLASLt plans); a caching
 * device allocator with in-use / reserved / peak statistics; the kernels of {@code cuda-kernels/}, built by nvcc
 * into fatbins shipped in the jar and loaded with {@code cuModuleLoadData}; the launchers of the tiled families
 * (flash attention, decode attention, the fused log-prob, the sampler) in {@code AttentionLaunch},
 * {@code LogprobLaunch} and {@link ai.pulsemind.backend.cuda.CudaBackend}; and JCuda interop.
 *
 * <p>Discovery: {@link ai.pulsemind.backend.cuda.CudaBackendProvider#probe()} says precisely what is missing
 * (kernels not built, {@code libcuda.so.1} not found, no device, no cuBLASLt) and never fails on a machine
 * without CUDA. GPU tests are the {@code *GpuIT} classes; {@code bin/gpu-verify} runs them and the GPU
 * benchmarks on a GPU machine in one command.
 */
package ai.pulsemind.backend.cuda;
