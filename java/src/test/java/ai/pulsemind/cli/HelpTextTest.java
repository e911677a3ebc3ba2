package ai.pulsemind.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every option and positional parameter of every command has a description, and an option with a default says
 * what it is ({@code ${DEFAULT-VALUE}} or the word "default" with its meaning), walking the whole picocli tree.
 */
class HelpTextTest {
    /**
     * Commands whose help is being rewritten elsewhere and is not checked yet. Remove a name once its command
     * passes; the test fails if a name here no longer names a command, so the list cannot go stale silently.
     */
    static final Set<String> NOT_YET_CHECKED = Set.of();

    @Test
    void everyOptionHasADescriptionAndItsDefault() {
        List<String> problems = new ArrayList<>(), seen = new ArrayList<>();
        walk(new CommandLine(new Main()), problems, seen);
        for (String exempt : NOT_YET_CHECKED) assertTrue(seen.contains(exempt), "exempt command " + exempt + " does not exist");
        assertTrue(seen.size() > 12, "walked only " + seen);
        assertEquals(List.of(), problems, "options without a description or default in --help");
    }

    @CommandLine.Command(name = "probe", description = "A command with the mistakes the walk must find.")
    static final class Undocumented implements Runnable {
        @CommandLine.Option(names = "--bare") int bare;
        @CommandLine.Option(names = "--quiet-default", defaultValue = "3", description = "Says nothing of its value.") int quiet;
        @CommandLine.Option(names = "--fine", defaultValue = "3", description = "Fine (default ${DEFAULT-VALUE}).") int fine;
        @CommandLine.Option(names = "--flag", description = "A switch.") boolean flag;
        @Override public void run() {}
    }

    @Test
    void theWalkFindsAnUndocumentedOption() {
        List<String> problems = new ArrayList<>();
        walk(new CommandLine(new Undocumented()), problems, new ArrayList<>());
        assertEquals(List.of("probe --bare: no description", "probe --quiet-default: has a default (3) that its description does not show"),
                problems);
    }

    private static void walk(CommandLine cl, List<String> problems, List<String> seen) {
        CommandSpec spec = cl.getCommandSpec();
        String name = spec.qualifiedName(" ");
        seen.add(name);
        if (!NOT_YET_CHECKED.contains(name)) {
            if (String.join("", spec.usageMessage().description()).isBlank()) problems.add(name + ": the command has no description");
            for (OptionSpec o : spec.options()) check(name, o.longestName(), o, problems);
            for (ArgSpec p : spec.positionalParameters()) check(name, p.paramLabel(), p, problems);
        }
        for (CommandLine sub : cl.getSubcommands().values()) if (sub.getParent() == cl) walk(sub, problems, seen);
    }

    private static void check(String command, String option, ArgSpec a, List<String> problems) {
        String d = String.join(" ", a.description());
        if (d.isBlank()) { problems.add(command + " " + option + ": no description"); return; }
        boolean flag = a.type() == boolean.class || a.type() == Boolean.class;
        boolean hasDefault = !a.required()
                && (a.defaultValue() != null || (a.hasInitialValue() && a.initialValue() != null && !flag));
        if (hasDefault && !flag && !d.contains("${DEFAULT-VALUE}") && !d.toLowerCase(Locale.ROOT).contains("default"))
            problems.add(command + " " + option + ": has a default (" + (a.defaultValue() != null ? a.defaultValue() : a.initialValue())
                    + ") that its description does not show");
    }
}
