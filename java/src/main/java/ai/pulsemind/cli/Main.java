package ai.pulsemind.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code pulsemind} command line. Commands are thin: parse, build a config, call the library.
 * Errors print one line naming what went wrong (with {@code --stacktrace}, the whole trace) and exit non-zero.
 */
@Command(name = "pulsemind", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "PulseMind-J: multimodal medical consultation model, benchmark and CRPO training.",
        subcommands = {
                DoctorCommand.class,
                GenerateCommand.class,
                ChatCommand.class,
                BenchCommand.class,
                ai.pulsemind.cli.data.DataCommand.class,
                JudgeCommand.class,
                ai.pulsemind.cli.train.TrainCommand.class,
                ai.pulsemind.cli.model.ModelCommand.class,
                ai.pulsemind.cli.eval.EvalCommand.class,
                ServeCommand.class,
                DemoCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(System.out); }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code; used by tests and embedders that must not exit the JVM. */
    public static int run(String... args) {
        boolean trace = java.util.Arrays.asList(args).contains("--stacktrace");
        String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals("--stacktrace")).toArray(String[]::new);
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            if (trace) ex.printStackTrace(cmd.getErr());
            else cmd.getErr().println("error: " + message(cmd.getCommandSpec(), ex));
            return 1;
        });
        // A mistyped command line: one line naming the flag and where help is, not the whole usage text.
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("error: " + ex.getMessage() + " (see: " + ("pulsemind " + commandPath(cmd)).strip() + " --help)");
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, cmd.getErr());
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cl.execute(rest);
    }

    /** {@code data import}: the command's names below the top. */
    private static String commandPath(CommandLine cmd) {
        String q = cmd.getCommandSpec().qualifiedName(" ");
        int sp = q.indexOf(' ');
        return sp < 0 ? "" : q.substring(sp + 1);
    }

    /** The one-line error of a failed command: settings named by the command's flags ({@link FlagNames}). */
    static String message(CommandLine.Model.CommandSpec spec, Throwable ex) {
        String flagged = FlagNames.rewrite(spec, ex);
        return flagged != null ? flagged : oneLine(ex);
    }

    /**
     * The innermost useful message: the exception's own, else its cause's, else its class name. A file-system
     * error says what went wrong with which file ({@code /x/y: not a directory}), not only the path.
     */
    static String oneLine(Throwable ex) {
        Throwable t = ex;
        while (t.getMessage() == null && t.getCause() != null) t = t.getCause();
        if (t instanceof java.nio.file.FileSystemException f) return CliPaths.describe(f);
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"pulsemind " + (v != null ? v : "dev") + " (Java " + Runtime.version() + ")"};
        }
    }
}
