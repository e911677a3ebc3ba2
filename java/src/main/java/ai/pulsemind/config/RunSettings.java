package ai.pulsemind.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A run's settings as the training commands take them: a record whose JSON keys are its flag names (kebab case),
 * resolved as defaults, overlaid with a config file (YAML or JSON), overlaid with the flags given. One place for
 * the layering and its errors (an unknown key names the layer and the known keys; a bad value names the file).
 */
public final class RunSettings {
    private RunSettings() {}

    public static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /**
     * How a layer's values are read into the tree: keys whose value may be one comma-separated string (as the flag
     * takes it) for a list of strings or of numbers, and keys whose number is kept as text (e.g. a warm-up "0.1").
     */
    public record Shape(Set<String> textLists, Set<String> numberLists, Set<String> numbersAsText) {}

    /** {@code defaults} overlaid with {@code file} (may be null) and then with {@code flags} by flag name. */
    public static <T> T resolve(T defaults, Class<T> type, Shape shape, Path file, Map<String, Object> flags) {
        ObjectNode tree = JSON.valueToTree(defaults);
        if (file != null) overlay(tree, readFile(file), file.toString(), shape);
        overlay(tree, JSON.valueToTree(flags), "the command line", shape);
        try {
            return JSON.treeToValue(tree, type);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("unknown setting '" + e.getPropertyName() + "'", e);
        } catch (JsonProcessingException e) {
            Throwable c = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw new IllegalArgumentException((file != null ? file + ": " : "") + (c instanceof IllegalArgumentException ? c.getMessage() : e.getOriginalMessage()), e);
        }
    }

    /** The settings as indented JSON with their flag names as keys. */
    public static String pretty(Object settings) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(settings);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode readFile(Path file) {
        try {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            byte[] bytes = Files.readAllBytes(file);
            JsonNode n = name.endsWith(".json") ? JSON.readTree(bytes) : YAML.readTree(bytes);
            if (n == null || !n.isObject()) throw new IllegalArgumentException(file + ": expected a mapping of settings at the top level");
            return n;
        } catch (IOException e) {
            throw new IllegalArgumentException("--config " + file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static void overlay(ObjectNode tree, JsonNode layer, String where, Shape shape) {
        List<String> known = new ArrayList<>();
        tree.fieldNames().forEachRemaining(known::add);
        for (Map.Entry<String, JsonNode> e : layer.properties()) {
            String key = e.getKey().replace('_', '-');
            if (!known.contains(key))
                throw new IllegalArgumentException(where + ": unknown setting '" + e.getKey() + "' (known: " + String.join(", ", known) + ")");
            JsonNode v = e.getValue();
            boolean numbers = shape.numberLists().contains(key);
            if ((numbers || shape.textLists().contains(key)) && v.isTextual()) v = list(tree, key, v.asText(), numbers, where);
            if (shape.numbersAsText().contains(key) && v.isNumber()) v = tree.textNode(v.asText());
            tree.set(key, v);
        }
    }

    private static ArrayNode list(ObjectNode tree, String key, String text, boolean numbers, String where) {
        ArrayNode arr = tree.arrayNode();
        for (String t : text.split(",")) {
            if (t.isBlank()) continue;
            if (!numbers) arr.add(t.trim());
            else try {
                arr.add(Double.parseDouble(t.trim()));
            } catch (NumberFormatException x) {
                throw new IllegalArgumentException(where + ": " + key + ": '" + t.trim() + "' is not a number");
            }
        }
        return arr;
    }
}
