package ai.pulsemind.data;

import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Writes a dataset directory: {@code data-NNNNN.jsonl} shards, {@code images/…}, {@code dataset.json} and
 * {@code README.md}. Every file is written under a hidden temporary name, fsynced and renamed, so a reader never
 * sees half a file; shards are renamed as they fill, so a run that stops keeps every complete shard, and
 * {@link #close()} commits the open shard too (its records were each validated before being written). A run that
 * stops on an error ends with {@link #fail}: what was written is kept with the card saying why it is incomplete, and
 * a run that wrote no record leaves nothing behind. Image writes are thread-safe; records are written from one thread.
 */
public final class DatasetWriter implements AutoCloseable {
    /**
     * @param recordsPerShard records per shard before a new one starts
     * @param overwrite       replace the shards of a dataset already in the directory (removed at commit, not before)
     */
    public record Options(int recordsPerShard, boolean overwrite) {
        public Options {
            ai.pulsemind.config.InvalidSetting.atLeast("recordsPerShard", recordsPerShard, 1);
        }

        public static Options defaults() { return new Options(10_000, false); }
    }

    private final Path root;
    private final Options opt;
    private final DatasetCard card;
    private final List<Path> oldShards;
    private final List<Path> written = new ArrayList<>();
    private final AtomicLong images = new AtomicLong();
    /** The outermost folder this writer created (null: the root existed), and the image files it added anew. */
    private final Path createdFrom;
    private final java.util.Queue<Path> newImages = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private BufferedWriter shard;
    private Path shardTmp, shardFinal;
    private int shardIndex, inShard;
    private boolean closed;

    public DatasetWriter(Path root, Options opt, DatasetCard card) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.opt = opt;
        this.card = card;
        Path first = null;
        for (Path a = this.root; a != null && !Files.exists(a); a = a.getParent()) first = a;
        createdFrom = first;
        Files.createDirectories(this.root);
        try (Stream<Path> s = Files.list(this.root)) {
            oldShards = s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
        if (!oldShards.isEmpty() && !opt.overwrite())
            throw new IllegalStateException(root + ": already holds a dataset (" + oldShards.size()
                    + " shard(s)); write to an empty directory or pass --overwrite");
    }

    public Path root() { return root; }

    public DatasetCard card() { return card; }

    /** Appends a record; it must pass {@link RecordValidator} and its images must already be in the dataset. */
    public void write(MediRecord r) throws IOException {
        if (closed) throw new IllegalStateException("dataset writer is closed");
        com.fasterxml.jackson.databind.JsonNode node = Records.MAPPER.valueToTree(r);
        List<RecordValidator.Problem> ps = RecordValidator.check(node);
        if (!ps.isEmpty())
            throw new IllegalArgumentException("record " + r.id() + ": " + ps.getFirst().field() + ": " + ps.getFirst().message());
        for (ImageRef im : r.images())
            if (!Files.isRegularFile(DatasetPaths.resolveInside(root, im.path())))
                throw new IllegalArgumentException("record " + r.id() + ": image " + im.path() + " was not added to the dataset");
        if (shard == null) openShard();
        shard.write(Records.toLine(r));
        shard.write('\n');
        card.count(r);
        if (++inShard >= opt.recordsPerShard()) commitShard();
    }

    /** Copies an image file into the dataset at {@code rel} (inside the root); returns {@code rel}. */
    public String addImage(Path source, String rel) throws IOException {
        Path dst = DatasetPaths.resolveInside(root, rel);
        Files.createDirectories(dst.getParent());
        Path tmp = dst.resolveSibling("." + dst.getFileName() + ".tmp");
        Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
        if (!Files.exists(dst)) newImages.add(dst);
        move(tmp, dst);
        images.incrementAndGet();
        return rel;
    }

    /** Writes image bytes into the dataset at {@code rel}; returns {@code rel}. */
    public String addImage(byte[] bytes, String rel) throws IOException {
        Path dst = DatasetPaths.resolveInside(root, rel);
        Files.createDirectories(dst.getParent());
        Path tmp = dst.resolveSibling("." + dst.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        if (!Files.exists(dst)) newImages.add(dst);
        move(tmp, dst);
        images.incrementAndGet();
        return rel;
    }

    /** A file-name-safe form of a record id, for image folders. */
    public static String safeName(String id) {
        String s = id.replaceAll("[^A-Za-z0-9._-]", "_");
        if (s.startsWith(".")) s = "_" + s.substring(1);
        return s.isEmpty() ? "_" : s;
    }

    private void openShard() throws IOException {
        String name = String.format("data-%05d.jsonl", shardIndex++);
        shardFinal = root.resolve(name);
        shardTmp = root.resolve("." + name + ".tmp");
        shard = Files.newBufferedWriter(shardTmp, StandardCharsets.UTF_8);
        inShard = 0;
    }

    private void commitShard() throws IOException {
        if (shard == null) return;
        shard.close();
        shard = null;
        fsync(shardTmp);
        // An old shard of the same name is replaced by this rename; the other old ones are removed at close.
        move(shardTmp, shardFinal);
        written.add(shardFinal);
    }

    /** Commits the open shard, removes shards of an overwritten dataset, writes the card. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        commitShard();
        for (Path old : oldShards) if (!written.contains(old)) Files.deleteIfExists(old);
        card.images = images.get();
        writeAtomically(root.resolve("dataset.json"),
                Records.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(card.toMap()));
        writeAtomically(root.resolve("README.md"), card.toMarkdown().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Ends a run that stopped on an error: with records written, commits them like {@link #close()} under a card
     * that says {@code incomplete: why}; with none, removes every file and folder this writer made, so the failed
     * run leaves the output as it found it (an existing dataset's shards and card untouched).
     *
     * @return whether anything was kept
     */
    public boolean fail(String why) throws IOException {
        if (closed) return card.records > 0;
        if (card.records > 0 || !written.isEmpty()) {
            card.markIncomplete(why);
            close();
            return true;
        }
        closed = true;
        if (shard != null) {
            shard.close();
            shard = null;
            Files.deleteIfExists(shardTmp);
        }
        for (Path f : newImages) {
            Files.deleteIfExists(f);
            for (Path d = f.getParent(); d != null && d.startsWith(root) && !d.equals(root); d = d.getParent())
                if (!removeIfEmpty(d)) break;
        }
        if (createdFrom != null) for (Path d = root; d != null && d.startsWith(createdFrom); d = d.getParent()) removeIfEmpty(d);
        return false;
    }

    private static boolean removeIfEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            if (s.findAny().isPresent()) return false;
        }
        Files.delete(dir);
        return true;
    }

    public List<Path> shards() { return List.copyOf(written); }

    static void writeAtomically(Path dst, byte[] bytes) throws IOException {
        Path tmp = dst.resolveSibling("." + dst.getFileName() + ".tmp");
        try (OutputStream o = Files.newOutputStream(tmp)) { o.write(bytes); }
        fsync(tmp);
        move(tmp, dst);
    }

    private static void fsync(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) { ch.force(true); }
    }

    private static void move(Path tmp, Path dst) throws IOException {
        try {
            Files.move(tmp, dst, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dst, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
