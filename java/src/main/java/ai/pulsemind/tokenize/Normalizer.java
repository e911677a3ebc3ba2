package ai.pulsemind.tokenize;

import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/** The {@code normalizer} of tokenizer.json: Unicode normal forms, Lowercase, and Sequences of them. */
record Normalizer(String description, UnaryOperator<String> fn) {
    static final Normalizer NONE = new Normalizer("none", s -> s);

    String apply(String s) { return fn.apply(s); }

    static Normalizer form(java.text.Normalizer.Form form) {
        return new Normalizer(form.name(), s -> java.text.Normalizer.normalize(s, form));
    }

    static Normalizer lowercase() { return new Normalizer("Lowercase", s -> s.toLowerCase(Locale.ROOT)); }

    static Normalizer sequence(List<Normalizer> parts) {
        return new Normalizer(parts.toString(), s -> {
            for (Normalizer n : parts) s = n.apply(s);
            return s;
        });
    }
}
