package ai.pulsemind.cli;

import ai.pulsemind.backend.Backend;
import ai.pulsemind.backend.Backends;
import ai.pulsemind.tensor.Device;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.Locale;

/**
 * {@code --device}, the same on every command that runs the engine: the choices, what each means, and the check
 * of a spelling at parse time ({@code Invalid value for option '--device': ...}). Use as
 * {@code @Mixin DeviceOption device = new DeviceOption();} (default {@code auto}) or
 * {@code new DeviceOption("cpu")} where a command has reason to default elsewhere (a CPU benchmark).
 */
public final class DeviceOption {
    /** The spellings {@code --device} takes, in the order help lists them. */
    public static final String CHOICES = "auto, cpu, cpu-reference, cuda, cuda:N";

    @Option(names = "--device", paramLabel = "DEVICE", converter = Spec.class,
            description = "Backend to run on: auto (CUDA when it can run here, else cpu; says which), cpu (the fast CPU "
                    + "backend, Vector API), cpu-reference (the plain scalar reference; slow, for checking), cuda (GPU 0) "
                    + "or cuda:N (GPU N). A backend that cannot run here is an error with the reason (default: ${DEFAULT-VALUE}).")
    String spec;

    public DeviceOption() { this("auto"); }

    public DeviceOption(String defaultSpec) { this.spec = Spec.check(defaultSpec); }

    /** The spec as given (lower case): one of {@link #CHOICES}. */
    public String spec() { return spec; }

    /** Opens the backend; {@code threads} for the CPU backends (0: all cores). */
    public Backend open(int threads) { return Backends.open(spec, threads); }

    /** Parses {@code --device}; an unknown spelling is refused with the list of choices. */
    static final class Spec implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return check(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }

        static String check(String value) {
            String s = value.trim().toLowerCase(Locale.ROOT);
            if (s.equals("auto") || s.equals("cpu") || s.equals("cpu-reference")) return s;
            if (s.equals("cuda") || s.startsWith("cuda:")) {
                try {
                    Device.parse(s);
                    if (s.startsWith("cuda:") && Integer.parseInt(s.substring(5)) < 0) throw new NumberFormatException();
                    return s;
                } catch (IllegalArgumentException e) {
                    // fall through to the list of choices
                }
            }
            throw new IllegalArgumentException("'" + value + "' is not a device; one of " + CHOICES);
        }
    }
}
