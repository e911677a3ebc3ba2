package ai.pulsemind.data.batch;

import ai.pulsemind.data.DataError;
import ai.pulsemind.data.DatasetPaths;
import ai.pulsemind.data.JsonlReader;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.RecordValidator;
import ai.pulsemind.data.Records;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.BufferedInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * Where every record of a dataset is: shard, byte offset, length and line, found by one scan for newlines (no
 * JSON parsing). 24 bytes per record; records themselves are read on demand, so a loader's memory does not grow
 * with the dataset. The fingerprint (shard names and sizes) lets a saved cursor refuse a changed dataset.
 */
public final class RecordIndex {
    private final Path root;
    private final List<Path> shards;
    private int[] shard = new int[1024], line = new int[1024], length = new int[1024];
    private long[] offset = new long[1024];
    private int size;
    private final String fingerprint;

    private RecordIndex(Path root, List<Path> shards) throws IOException {
        this.root = root;
        this.shards = shards;
        StringBuilder fp = new StringBuilder();
        for (int s = 0; s < shards.size(); s++) {
            scan(s);
            fp.append(root.relativize(shards.get(s).toAbsolutePath().normalize())).append(':').append(Files.size(shards.get(s))).append(';');
        }
        fingerprint = String.format("%016x-%d", fnv(fp.toString()), size);
    }

    private static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) { h ^= b & 0xFF; h *= 0x100000001b3L; }
        return h;
    }

    private RecordIndex(RecordIndex base, int[] keep, String label) {
        this.root = base.root;
        this.shards = base.shards;
        int n = keep.length;
        shard = new int[n]; line = new int[n]; length = new int[n]; offset = new long[n];
        for (int i = 0; i < n; i++) {
            int k = keep[i];
            shard[i] = base.shard[k]; line[i] = base.line[k]; length[i] = base.length[k]; offset[i] = base.offset[k];
        }
        size = n;
        fingerprint = base.fingerprint + ":" + label + "-" + n;
    }

    /**
     * The records for which {@code keep} holds (read and parsed once, in order); a record that cannot be read stays
     * in, so that the loader reports it. The fingerprint names the base dataset and {@code label} (e.g. the split).
     */
    public RecordIndex where(java.util.function.Predicate<MediRecord> keep, String label) throws IOException {
        FileChannel[] chs = channels();
        try {
            int[] kept = new int[size];
            int n = 0;
            for (int i = 0; i < size; i++) {
                boolean in;
                try {
                    in = keep.test(read(i, chs));
                } catch (DataError | IllegalArgumentException e) {
                    in = true;
                }
                if (in) kept[n++] = i;
            }
            return new RecordIndex(this, Arrays.copyOf(kept, n), label);
        } finally {
            close(chs);
        }
    }

    /** Indexes the shards of a dataset folder or one shard. */
    public static RecordIndex of(Path path) throws IOException {
        List<Path> shards = DatasetPaths.shards(path);
        // A dataset folder without shards is an empty dataset (size 0); a folder that is no dataset is an error.
        if (shards.isEmpty() && DatasetPaths.datasetFolders(path).isEmpty())
            throw new DataError(path.toString(), 0, "-", "not a dataset: no *.jsonl shards and no " + DatasetPaths.CARD);
        return new RecordIndex(DatasetPaths.rootOf(path), shards);
    }

    private void scan(int s) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(shards.get(s)), 1 << 16)) {
            long pos = 0, start = 0;
            int lineNo = 1, c;
            boolean blank = true;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    if (!blank) add(s, start, (int) (pos - start), lineNo);
                    lineNo++;
                    start = pos + 1;
                    blank = true;
                } else if (c != ' ' && c != '\t' && c != '\r') blank = false;
                pos++;
            }
            if (!blank) add(s, start, (int) (pos - start), lineNo);
        }
    }

    private void add(int s, long off, int len, int lineNo) {
        if (size == shard.length) {
            int n = size * 2;
            shard = Arrays.copyOf(shard, n); line = Arrays.copyOf(line, n); length = Arrays.copyOf(length, n); offset = Arrays.copyOf(offset, n);
        }
        shard[size] = s; offset[size] = off; length[size] = len; line[size] = lineNo;
        size++;
    }

    public int size() { return size; }
    public Path root() { return root; }
    public String fingerprint() { return fingerprint; }

    /** Where record i is, as {@code file:line}. */
    public String where(int i) { return shards.get(shard[i]) + ":" + line[i]; }

    /** Bytes of record i's line: a cheap length proxy before encoding. */
    public int bytes(int i) { return length[i]; }

    /** Reads, checks and binds record i; a bad record is a {@link DataError} naming file, line and field. */
    public MediRecord read(int i, FileChannel[] channels) throws IOException {
        FileChannel ch;
        synchronized (channels) { // opened once per shard; positional reads on it are thread-safe
            ch = channels[shard[i]];
            if (ch == null) ch = channels[shard[i]] = FileChannel.open(shards.get(shard[i]), StandardOpenOption.READ);
        }
        ByteBuffer buf = ByteBuffer.allocate(length[i]);
        while (buf.hasRemaining()) {
            if (ch.read(buf, offset[i] + buf.position()) < 0) throw new DataError(shards.get(shard[i]).toString(), line[i], "-", "file changed while reading (truncated)");
        }
        String file = shards.get(shard[i]).toString();
        String text = new String(buf.array(), StandardCharsets.UTF_8);
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') text = text.substring(1); // byte-order mark on line 1
        JsonNode node = JsonlReader.parse(file, new JsonlReader.Line(line[i], text));
        List<RecordValidator.Problem> ps = RecordValidator.check(node);
        if (!ps.isEmpty()) throw new DataError(file, line[i], ps.getFirst().field(), ps.getFirst().message());
        return Records.fromNode(node);
    }

    /** One open channel slot per shard, for {@link #read}; close them with {@link #close(FileChannel[])}. */
    public FileChannel[] channels() { return new FileChannel[shards.size()]; }

    public static void close(FileChannel[] chs) {
        for (FileChannel c : chs) {
            try { if (c != null) c.close(); } catch (IOException e) { /* read-only handle: nothing to lose */ }
        }
    }
}
