package ai.pulsemind.train;

import java.util.List;
import java.util.Set;

/**
 * Which layers get LoRA adapters and how they are shaped (PEFT's {@code LoraConfig}).
 *
 * @param rank    r; 0 means no adapters (full fine-tuning)
 * @param alpha   the scaling numerator: {@code alpha / r} ({@code alpha / √r} with rsLoRA)
 * @param dropout on the adapter input, in training
 * @param rsLora  rank-stabilised scaling
 * @param targets projection names of the text decoder (q, k, v, o, gate, up, down, or their module names q_proj, …)
 * @param vision  also adapt the vision tower's projections (qkv, proj, gate, up, down); frozen by default
 */
public record LoraConfig(int rank, float alpha, float dropout, boolean rsLora, List<String> targets, boolean vision) {
    /** The text decoder's projections, as the issue and PEFT recipes for Qwen name them. */
    public static final List<String> ALL_TEXT = List.of("q", "k", "v", "o", "gate", "up", "down");
    static final Set<String> KNOWN = Set.of("q", "k", "v", "o", "gate", "up", "down", "qkv", "proj");

    public LoraConfig {
        if (rank < 0) throw new IllegalArgumentException("--lora-r must be >= 0 (0 = full fine-tuning), got " + rank);
        if (rank > 0 && !(alpha > 0)) throw new IllegalArgumentException("--lora-alpha must be > 0, got " + alpha);
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("--lora-dropout must be in [0, 1), got " + dropout);
        targets = targets.stream().map(LoraConfig::shortName).distinct().toList();
        for (String t : targets)
            if (!KNOWN.contains(t))
                throw new IllegalArgumentException("--lora-targets: unknown projection '" + t + "' (known: q, k, v, o, gate, up, down; "
                        + "qkv, proj in the vision tower)");
        if (rank > 0 && targets.isEmpty()) throw new IllegalArgumentException("--lora-targets is empty");
    }

    /** "q_proj", "self_attn.q_proj" and "q" all name the same projection. */
    static String shortName(String t) {
        String s = t.trim();
        int dot = s.lastIndexOf('.');
        if (dot >= 0) s = s.substring(dot + 1);
        return s.endsWith("_proj") ? s.substring(0, s.length() - "_proj".length()) : s;
    }

    public boolean enabled() { return rank > 0; }

    /** Whether a module (its Hugging Face name's last part, e.g. q_proj or qkv) is a target. */
    public boolean targets(String module) { return targets.contains(shortName(module)); }
}
