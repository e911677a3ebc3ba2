package ai.pulsemind.tokenize;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * The {@code tojson} filter as transformers defines it for chat templates: Python's
 * {@code json.dumps(x, ensure_ascii=False, indent=indent)} (", " and ": " separators; with an indent, one item per
 * line). Jinjava's own tojson writes compact JSON, which would change tool-calling prompts.
 */
final class PyJson implements Filter {
    @Override
    public String getName() { return "tojson"; }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        Integer indent = args.length > 0 && args[0] != null ? Integer.valueOf(args[0]) : null;
        return dumps(var, indent);
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object ind = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
        return dumps(var, ind == null ? null : ((Number) (ind instanceof String s ? Integer.valueOf(s) : ind)).intValue());
    }

    static String dumps(Object v, Integer indent) {
        StringBuilder sb = new StringBuilder();
        write(sb, v, indent, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, Integer indent, int depth) {
        switch (v) {
            case null -> sb.append("null");
            case Boolean b -> sb.append(b ? "true" : "false");
            case Double d -> sb.append(pyFloat(d));
            case Float f -> sb.append(pyFloat(f.doubleValue()));
            case Number n -> sb.append(n);
            case CharSequence s -> string(sb, s.toString());
            case Map<?, ?> m -> container(sb, '{', '}', m.entrySet().iterator(), indent, depth, true);
            case Collection<?> c -> container(sb, '[', ']', c.iterator(), indent, depth, false);
            case Object[] a -> container(sb, '[', ']', java.util.Arrays.asList(a).iterator(), indent, depth, false);
            default -> string(sb, v.toString());
        }
    }

    private static void container(StringBuilder sb, char open, char close, Iterator<?> it, Integer indent, int depth,
                                  boolean map) {
        sb.append(open);
        if (!it.hasNext()) {
            sb.append(close);
            return;
        }
        boolean first = true;
        while (it.hasNext()) {
            Object e = it.next();
            if (!first) sb.append(indent == null ? ", " : ",");
            if (indent != null) sb.append('\n').append(" ".repeat(indent * (depth + 1)));
            if (map) {
                Map.Entry<?, ?> me = (Map.Entry<?, ?>) e;
                string(sb, String.valueOf(me.getKey()));
                sb.append(": ");
                write(sb, me.getValue(), indent, depth + 1);
            } else write(sb, e, indent, depth + 1);
            first = false;
        }
        if (indent != null) sb.append('\n').append(" ".repeat(indent * depth));
        sb.append(close);
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    /** Python's float repr for the common cases: integral values keep ".0"; NaN/Infinity as Python writes them. */
    private static String pyFloat(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        if (d == Math.rint(d) && Math.abs(d) < 1e16) return String.format(java.util.Locale.ROOT, "%.1f", d);
        String s = Double.toString(d); // shortest round-trip digits, as Python's repr
        int e = s.indexOf('E');
        if (e < 0) return s;
        String mant = s.substring(0, e).replaceAll("\\.0$", "");
        int exp = Integer.parseInt(s.substring(e + 1));
        return mant + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
    }
}
