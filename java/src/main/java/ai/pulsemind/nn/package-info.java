/**
 * Layers with parameters, thin over {@link ai.pulsemind.autograd.Ops}: {@link ai.pulsemind.nn.Linear} (with an
 * optional {@link ai.pulsemind.nn.LoraAdapter}), {@link ai.pulsemind.nn.Dropout}, the per-call
 * {@link ai.pulsemind.nn.ForwardMode}, and {@link ai.pulsemind.nn.Params}, the named parameter table a model exposes
 * to loaders, optimisers and checkpoints. Shape letters are those of {@code ai.pulsemind.backend}.
 */
package ai.pulsemind.nn;
