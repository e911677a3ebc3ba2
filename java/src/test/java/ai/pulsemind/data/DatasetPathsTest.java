package ai.pulsemind.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Datasets reached through symbolic links (a linked dataset folder, a linked shard) are found like real ones. */
class DatasetPathsTest {
    static final Path MINI = Path.of("..", "datasets", "samples", "synthetic-mini").toAbsolutePath().normalize();

    @Test
    void aSymlinkedDatasetFolderAndShardAreFollowed(@TempDir Path tmp) throws Exception {
        Path linked = Files.createSymbolicLink(tmp.resolve("data"), MINI);
        assertEquals(DatasetPaths.shards(MINI).size(), DatasetPaths.shards(linked).size(), "shards through a linked folder");
        assertEquals(List.of(linked.toAbsolutePath().normalize()), DatasetPaths.datasetFolders(linked));
        Path folder = Files.createDirectories(tmp.resolve("folder"));
        Files.createSymbolicLink(folder.resolve("mini"), MINI);
        assertEquals(1, DatasetPaths.datasetFolders(folder).size(), "a folder holding a linked dataset");
    }
}
