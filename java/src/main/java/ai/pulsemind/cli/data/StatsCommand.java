package ai.pulsemind.cli.data;

import ai.pulsemind.data.DatasetStats;
import ai.pulsemind.data.Progress;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code pulsemind data stats PATH [--json]}. */
@Command(mixinStandardHelpOptions = true, name = "stats", description = "Count records, turns per dialogue, departments, sub-specialties, images per "
        + "modality, languages and splits of a dataset.")
public final class StatsCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "a .jsonl shard or a dataset folder")
    Path path;

    @Option(names = "--json", description = "one JSON object (keys include departments and modalities: name -> count)")
    boolean json;

    @Override
    public Integer call() throws Exception {
        long[] problems = {0};
        DatasetStats s = DatasetStats.of(path, e -> {
            if (problems[0]++ < 10) System.err.println("unreadable: " + e.getMessage());
        }, json ? Progress.NONE : Progress.stderr("stats", -1));
        Map<String, Object> m = s.toMap();
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(m));
        } else {
            for (var e : m.entrySet()) {
                if (e.getValue() instanceof Map<?, ?> sub) {
                    System.out.println(e.getKey() + ":" + (sub.isEmpty() ? " (none)" : ""));
                    sub.entrySet().stream()
                            .sorted((a, b) -> e.getKey().startsWith("turns") ? 0 : Long.compare((Long) b.getValue(), (Long) a.getValue()))
                            .forEach(x -> System.out.printf("  %-40s %d%n", x.getKey(), (Long) x.getValue()));
                } else {
                    System.out.println(e.getKey() + ": " + e.getValue());
                }
            }
        }
        if (problems[0] > 10) System.err.println("unreadable: … " + (problems[0] - 10) + " more (run `data validate`)");
        return problems[0] == 0 ? 0 : 1;
    }
}
