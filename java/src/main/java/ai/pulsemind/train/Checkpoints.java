package ai.pulsemind.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Checkpoint directories that survive a kill at any moment. A checkpoint {@code step-N} is written into
 * {@code .tmp-step-N}, every file and the directory are fsynced, the directory is renamed to {@code step-N}, and
 * only then is {@code latest} (a symbolic link) replaced by a rename; so {@code latest} always names a complete
 * checkpoint, and a half-written one is only ever a {@code .tmp-*} directory, removed at the next save.
 */
public final class Checkpoints {
    public static final String LATEST = "latest";
    static final String TMP = ".tmp-";

    private Checkpoints() {}

    /** What fills a checkpoint directory. */
    @FunctionalInterface
    public interface Body {
        void write(Path dir) throws IOException;
    }

    public static String name(int step) { return String.format(Locale.ROOT, "step-%06d", step); }

    /**
     * Writes checkpoint {@code step} under {@code root} and points {@code latest} at it.
     *
     * @param keep how many complete checkpoints to keep (0: all); older ones are deleted after {@code latest} moved
     * @return the checkpoint directory
     */
    public static Path save(Path root, int step, int keep, Body body) throws IOException {
        Files.createDirectories(root);
        removeTemporaries(root);
        String name = name(step);
        Path tmp = root.resolve(TMP + name), dst = root.resolve(name);
        Files.createDirectories(tmp);
        body.write(tmp);
        try (Stream<Path> files = Files.list(tmp)) {
            for (Path f : files.toList()) if (Files.isRegularFile(f)) fsync(f);
        }
        fsync(tmp);
        if (Files.exists(dst)) deleteTree(dst); // a re-run of the same step after a resume
        Files.move(tmp, dst, StandardCopyOption.ATOMIC_MOVE);
        fsync(root);
        Path link = root.resolve(".latest.tmp");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of(name));
        Files.move(link, root.resolve(LATEST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsync(root);
        if (keep > 0) prune(root, keep);
        return dst;
    }

    /** The complete checkpoint {@code latest} names, or null when there is none. */
    public static Path latest(Path root) {
        Path l = root.resolve(LATEST);
        if (!Files.exists(l, LinkOption.NOFOLLOW_LINKS)) return null;
        try {
            Path target = root.resolve(Files.readSymbolicLink(l));
            return Files.isDirectory(target) ? target : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Complete checkpoints, oldest first. */
    public static List<Path> list(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "step-*")) {
            for (Path p : ds) if (Files.isDirectory(p)) out.add(p);
        }
        out.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return out;
    }

    private static void prune(Path root, int keep) throws IOException {
        List<Path> all = list(root);
        Path current = latest(root);
        for (int i = 0; i + keep < all.size(); i++) if (!all.get(i).equals(current)) deleteTree(all.get(i));
    }

    static void removeTemporaries(Path root) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, TMP + "*")) {
            for (Path p : ds) deleteTree(p);
        }
    }

    /** Writes a small file atomically: a sibling temp file, fsynced, renamed over the target. */
    public static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Copies a file into a directory (for the tokenizer and config files a full checkpoint carries). */
    public static void copyInto(Path file, Path dir) throws IOException {
        try {
            Files.copy(file, dir.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(e);
        }
    }

    static void fsync(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                ch.force(true);
            } catch (IOException e) {
                // some file systems refuse to open directories for reading; the rename still orders the writes there
            }
        } else {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
    }

    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> w = Files.walk(p)) {
            for (Path q : w.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
