/**
 * Hugging Face checkpoints of Qwen2.5-VL: {@code config.json} in both layouts ({@link ai.pulsemind.model.io.HfConfigReader}),
 * memory-mapped safetensors, single or sharded ({@link ai.pulsemind.model.io.SafetensorsFile},
 * {@link ai.pulsemind.model.io.SafetensorsCheckpoint}), a writer ({@link ai.pulsemind.model.io.SafetensorsWriter}),
 * tensor names and their expected shapes ({@link ai.pulsemind.model.io.WeightNames}), and a checkpoint checked
 * against its config at open time ({@link ai.pulsemind.model.io.Qwen25VlCheckpoint}).
 *
 * <p>Weights are never copied on load: tensors view the mapped files, in their stored dtype (F32, BF16 or F16).
 * Every problem with the files is a {@link ai.pulsemind.model.io.CheckpointException} whose message is one line
 * naming the file and what is wrong with it.
 */
package ai.pulsemind.model.io;
