package ai.pulsemind.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/** Checks of the paths a command is given, before it does any work, with errors that name the flag and say why. */
public final class CliPaths {
    private CliPaths() {}

    /** Throws unless {@code path} exists: {@code --input X: no such file or directory}. */
    public static void requireExisting(String flag, Path path) {
        if (!Files.exists(path)) throw new IllegalArgumentException(flag + " " + path + ": no such file or directory");
    }

    /**
     * Throws unless the folder {@code path} exists or could be created, without creating it (so a command that then
     * fails leaves nothing behind): a file in the way, no permission, a read-only or special file system. Probes
     * the nearest existing ancestor by creating and removing a hidden folder in it.
     */
    public static void requireCreatableDir(String flag, Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (Files.isDirectory(p)) {
            if (!Files.isWritable(p)) throw new IllegalArgumentException(flag + " " + path + ": no permission to write in this folder");
            return;
        }
        if (Files.exists(p)) throw new IllegalArgumentException(flag + " " + path + ": is a file, not a folder");
        Path a = p.getParent();
        while (a != null && !Files.exists(a)) a = a.getParent();
        if (a == null) throw new IllegalArgumentException(flag + " " + path + ": cannot be created (no existing parent folder)");
        if (!Files.isDirectory(a)) throw new IllegalArgumentException(flag + " " + path + ": cannot be created: " + a + " is a file, not a folder");
        try {
            Files.delete(Files.createTempDirectory(a, ".pulsemind-probe-"));
        } catch (FileSystemException e) {
            throw new IllegalArgumentException(flag + " " + path + ": cannot be created in " + a + ": " + reason(e), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(flag + " " + path + ": cannot be created in " + a + ": " + e.getMessage(), e);
        }
    }

    /** {@code file: what went wrong}, for a file-system error whose own message is often only the path. */
    public static String describe(FileSystemException e) {
        String other = e.getOtherFile() != null ? " (" + e.getOtherFile() + ")" : "";
        return (e.getFile() != null ? e.getFile() + ": " : "") + reason(e) + other;
    }

    /** What went wrong, in words: the exception's kind, else the operating system's reason. */
    static String reason(FileSystemException e) {
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof FileAlreadyExistsException) return "already exists";
        if (e instanceof NotDirectoryException) return "not a directory";
        if (e instanceof DirectoryNotEmptyException) return "folder is not empty";
        String r = e.getReason();
        if (r == null || r.isBlank()) return "file system error (" + e.getClass().getSimpleName() + ")";
        return r.substring(0, 1).toLowerCase(Locale.ROOT) + r.substring(1);
    }
}
