/**
 * The backend SPI: one op table that the CPU reference, the fast CPU backend and the CUDA backend implement.
 *
 * <p>Conventions, shared by every op and every backend:
 * <ul>
 *   <li>Out-parameter style (as in llm.c): the caller allocates outputs with {@link ai.pulsemind.backend.Backend#empty};
 *       ops never allocate tensors the caller can see and never read tensor data on the host.</li>
 *   <li>Ops may run asynchronously (CUDA); {@link ai.pulsemind.backend.Backend#synchronize()} and copies to the host
 *       are the synchronisation points.</li>
 *   <li>Backward ops that produce parameter gradients ({@code dw}, {@code db}, {@code dtable}) <em>accumulate</em>
 *       into them; gradients of activations ({@code dx}) are overwritten.</li>
 *   <li>Reductions run in a fixed order for a given thread count, so training is repeatable bit for bit.</li>
 * </ul>
 *
 * <p>Dimension letters used in shape comments:
 * N tokens (rows, all sequences packed), C channels (model width), F feed-forward width, V vocabulary,
 * Hq query heads, Hkv key/value heads, D head dim, S segments (sequences) in a packed batch,
 * B batch of matrices, M/K/N (in GEMM only) the usual matrix sizes, A rotary position axes (1, 2 or 3).
 */
package ai.pulsemind.backend;
