package ai.pulsemind.data;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Where a dataset's files are, and the rule that image paths stay inside the dataset root. */
public final class DatasetPaths {
    private DatasetPaths() {}

    /**
     * Why {@code rel} may not be used as an image path, or null when it is a plain relative path inside the root:
     * '/'-separated, not absolute, no drive letter or backslash, no empty, '.' or '..' segment.
     */
    public static String pathProblem(String rel) {
        if (rel == null || rel.isEmpty()) return "path is empty";
        if (rel.startsWith("/") || rel.startsWith("~")) return "path '" + rel + "' is absolute; paths are relative to the dataset root";
        if (rel.contains("\\")) return "path '" + rel + "' contains a backslash; use '/'";
        if (rel.length() > 1 && rel.charAt(1) == ':') return "path '" + rel + "' names a drive; paths are relative to the dataset root";
        if (rel.indexOf('\0') >= 0) return "path contains a NUL character";
        for (String seg : rel.split("/", -1)) {
            if (seg.equals("..")) return "path '" + rel + "' leaves the dataset root";
            if (seg.isEmpty() || seg.equals(".")) return "path '" + rel + "' has an empty or '.' segment";
        }
        return null;
    }

    /**
     * The file {@code rel} names under {@code root}. Throws when the path is malformed or, once symbolic links are
     * followed, lands outside the root.
     */
    public static Path resolveInside(Path root, String rel) {
        String p = pathProblem(rel);
        if (p != null) throw new IllegalArgumentException(p);
        Path r = root.toAbsolutePath().normalize();
        Path f = r.resolve(rel).normalize();
        if (!f.startsWith(r)) throw new IllegalArgumentException("path '" + rel + "' leaves the dataset root");
        if (Files.exists(f)) {
            try {
                if (!f.toRealPath().startsWith(r.toRealPath()))
                    throw new IllegalArgumentException("path '" + rel + "' is a link that leaves the dataset root");
            } catch (IOException e) {
                throw new IllegalArgumentException("path '" + rel + "': " + e.getMessage(), e);
            }
        }
        return f;
    }

    /** The file that makes a folder a dataset (its card for tools; {@link DatasetWriter} writes it). */
    public static final String CARD = "dataset.json";

    /** The dataset root of a path given on the command line: a directory is its own root, a file's root is its folder. */
    public static Path rootOf(Path path) {
        Path a = path.toAbsolutePath().normalize();
        return Files.isDirectory(a) ? a : a.getParent();
    }

    /**
     * The root that {@code shard}'s image paths are relative to when {@code given} was named on the command line:
     * the nearest folder from the shard's own up to {@code given} that holds a {@value #CARD} (so a folder of
     * several datasets validates each against its own root), else {@link #rootOf(Path) rootOf(given)}.
     */
    public static Path rootOf(Path shard, Path given) {
        Path top = rootOf(given);
        for (Path d = shard.toAbsolutePath().normalize().getParent(); d != null && d.startsWith(top); d = d.getParent())
            if (Files.isRegularFile(d.resolve(CARD))) return d;
        return top;
    }

    /** The dataset folders (holding a {@value #CARD}) at or below {@code path}, sorted; hidden names skipped. */
    public static List<Path> datasetFolders(Path path) throws IOException {
        if (!Files.isDirectory(path)) return List.of();
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(path, FileVisitOption.FOLLOW_LINKS)) { // a symlinked dataset or shard counts
            s.filter(f -> f.getFileName().toString().equals(CARD) && Files.isRegularFile(f))
                    .filter(f -> !hidden(path.relativize(f)))
                    .map(f -> f.toAbsolutePath().normalize().getParent())
                    .sorted()
                    .forEach(out::add);
        }
        return out;
    }

    /**
     * The shards of a dataset: {@code path} itself when it is a file, else every {@code *.jsonl} below it, sorted by
     * relative path, skipping hidden names (temporary files of an unfinished write start with '.').
     */
    public static List<Path> shards(Path path) throws IOException {
        if (!Files.exists(path)) throw new DataError(path.toString(), 0, "-", "no such file or directory");
        if (Files.isRegularFile(path)) return List.of(path);
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(path, FileVisitOption.FOLLOW_LINKS)) { // a symlinked dataset or shard counts
            s.filter(Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().endsWith(".jsonl"))
                    .filter(f -> !hidden(path.relativize(f)))
                    .sorted()
                    .forEach(out::add);
        }
        return out;
    }

    private static boolean hidden(Path rel) {
        for (Path seg : rel) if (seg.toString().startsWith(".")) return true;
        return false;
    }
}
