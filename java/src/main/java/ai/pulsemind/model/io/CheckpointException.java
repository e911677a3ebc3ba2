package ai.pulsemind.model.io;

import java.nio.file.Path;

/**
 * A checkpoint file that cannot be used: its message is one line naming the file and the problem, fit to print as
 * is ({@code model.safetensors: tensor lm_head.weight: data_offsets [0, 12] overlap ...}).
 */
public final class CheckpointException extends RuntimeException {
    private final transient Path file;

    public CheckpointException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public CheckpointException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() { return file; }
}
