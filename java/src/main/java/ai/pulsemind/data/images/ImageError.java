package ai.pulsemind.data.images;

import java.io.IOException;

/** An image that cannot be decoded; the message names the file and why. */
public final class ImageError extends IOException {
    public ImageError(String message) { super(message); }

    public ImageError(String message, Throwable cause) { super(message, cause); }
}
