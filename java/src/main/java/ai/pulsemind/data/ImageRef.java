package ai.pulsemind.data;

import java.util.Objects;

/**
 * An image of a record.
 *
 * @param id       unique within the record; turns refer to it
 * @param path     relative to the dataset root, '/'-separated; never absolute, never leaving the root
 * @param modality one of {@link Modality#NAMES}
 */
public record ImageRef(String id, String path, String modality) {
    public ImageRef {
        Objects.requireNonNull(id, "image.id");
        Objects.requireNonNull(path, "image.path");
        Objects.requireNonNull(modality, "image.modality");
    }
}
