package ai.pulsemind.tokenize;

import java.nio.file.Path;

/** A tokenizer, template or image file that cannot be used; the message is one line naming the file and the problem. */
public final class TokenizerException extends RuntimeException {
    public TokenizerException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public TokenizerException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
