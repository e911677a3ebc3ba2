package ai.pulsemind.cli;

import ai.pulsemind.config.InvalidSetting;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Member;
import java.util.Arrays;

/**
 * Speaks the user's language in errors: a library {@link InvalidSetting} names a Java setting
 * ({@code recordsPerShard}); the command that failed knows which of its options fed it, so the message names the flag
 * ({@code --shard-size must be >= 1, got 0}). An option feeds a setting when it is annotated {@link Setting} with that
 * name or, failing that, when its field has the setting's name. Mixin options count too.
 */
public final class FlagNames {
    private FlagNames() {}

    /** The flag of {@code spec} that sets {@code setting}, or null when no option does. */
    public static String flagFor(CommandSpec spec, String setting) {
        for (OptionSpec o : spec.options())
            if (element(o) instanceof AnnotatedElement e && e.getAnnotation(Setting.class) instanceof Setting s
                    && Arrays.asList(s.value()).contains(setting)) return o.longestName();
        for (OptionSpec o : spec.options())
            if (element(o) instanceof Member m && m.getName().equals(setting)) return o.longestName();
        return null;
    }

    /** The message of {@code ex} with the setting replaced by its flag where {@code spec} has one; else null. */
    public static String rewrite(CommandSpec spec, Throwable ex) {
        InvalidSetting s = InvalidSetting.in(ex);
        if (s == null) return null;
        String flag = flagFor(spec, s.setting());
        return flag == null ? null : flag + " " + s.problem();
    }

    /** The field or method an option was declared on (picocli keeps it as the option's user object). */
    private static Object element(ArgSpec a) { return a.userObject(); }
}
