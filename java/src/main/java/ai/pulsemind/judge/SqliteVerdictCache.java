package ai.pulsemind.judge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The verdict cache in one SQLite file (through the xerial JDBC driver), in WAL mode: readers do not block the
 * writer, several processes may share the file, and every {@link #put} is its own committed transaction, so a
 * process killed mid-run (even with SIGKILL) keeps every verdict already stored. {@code synchronous=NORMAL} is
 * durable against a crash of the process; only a power cut can lose the last commits.
 *
 * <p>One connection serves all threads behind a lock: a read or write is tens of microseconds, far below a judge
 * call, and a single connection keeps the driver's thread-safety questions away.
 *
 * <pre>CREATE TABLE verdicts (key TEXT PRIMARY KEY, judge TEXT, value TEXT, created INTEGER)</pre>
 */
public final class SqliteVerdictCache implements VerdictCache {
    private final Path file;
    private final Connection db;
    private final PreparedStatement select, upsert;
    private final ReentrantLock lock = new ReentrantLock();

    private SqliteVerdictCache(Path file, Connection db) throws SQLException {
        this.file = file;
        this.db = db;
        try (Statement s = db.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=NORMAL");
            s.execute("PRAGMA busy_timeout=10000");
            s.execute("CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, judge TEXT NOT NULL, value TEXT NOT NULL, created INTEGER NOT NULL)");
        }
        this.select = db.prepareStatement("SELECT value FROM verdicts WHERE key = ?");
        this.upsert = db.prepareStatement("INSERT OR REPLACE INTO verdicts (key, judge, value, created) VALUES (?, ?, ?, ?)");
    }

    /** Opens (or creates) the cache file; its folder is made when missing. An unusable file is an error naming it. */
    public static SqliteVerdictCache open(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try {
                return new SqliteVerdictCache(file, c);
            } catch (SQLException e) {
                c.close();
                throw e;
            }
        } catch (SQLException | java.io.IOException e) {
            throw new IllegalArgumentException("verdict cache " + file + ": cannot open (" + e.getMessage() + ")", e);
        }
    }

    public Path file() { return file; }

    /** The journal mode in force ("wal" once open). */
    public String journalMode() {
        return locked(() -> {
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
                return rs.next() ? rs.getString(1) : "";
            }
        });
    }

    /** Entries stored. */
    public long size() {
        return locked(() -> {
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM verdicts")) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    @Override
    public String get(String key) {
        return locked(() -> {
            select.setString(1, key);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        });
    }

    @Override
    public void put(String key, String judge, String value) {
        locked(() -> {
            upsert.setString(1, key);
            upsert.setString(2, judge);
            upsert.setString(3, value);
            upsert.setLong(4, System.currentTimeMillis());
            return upsert.executeUpdate();
        });
    }

    @FunctionalInterface
    private interface Sql<T> {
        T run() throws SQLException;
    }

    private <T> T locked(Sql<T> work) {
        lock.lock();
        try {
            return work.run();
        } catch (SQLException e) {
            throw new IllegalStateException("verdict cache " + file + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            select.close();
            upsert.close();
            db.close();
        } catch (SQLException e) {
            throw new IllegalStateException("verdict cache " + file + ": closing: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }
}
