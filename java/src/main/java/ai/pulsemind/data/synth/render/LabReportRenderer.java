package ai.pulsemind.data.synth.render;

import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A printed laboratory report: analyte, result, unit, reference range and an H/L flag. The signature names the
 * analytes that are high or low ({@code abnormal: {HGB: low, MCV: low}}) and others shown in range
 * ({@code normal: [WBC, PLT]}); values are drawn inside or outside the reference range accordingly, so the
 * pattern of flags (not any single value) separates, say, iron deficiency from B12 deficiency.
 */
public final class LabReportRenderer implements Renderer {
    static final int W = 288, H = 320;

    /** Analyte → unit, low, high, and how far outside the range an abnormal value lies (as a fraction of the range). */
    public record Analyte(String unit, double lo, double hi, double spread, int decimals) {}

    public static final Map<String, Analyte> ANALYTES = new LinkedHashMap<>();
    static {
        ANALYTES.put("WBC", new Analyte("10^9/L", 4.0, 10.0, 1.2, 1));
        ANALYTES.put("HGB", new Analyte("g/L", 120, 160, 0.9, 0));
        ANALYTES.put("MCV", new Analyte("fL", 80, 100, 1.3, 0));
        ANALYTES.put("PLT", new Analyte("10^9/L", 100, 300, 0.6, 0));
        ANALYTES.put("RDW", new Analyte("%", 11.5, 14.5, 1.5, 1));
        ANALYTES.put("FERRITIN", new Analyte("ng/mL", 20, 200, 0.08, 0));
        ANALYTES.put("B12", new Analyte("pg/mL", 200, 900, 0.2, 0));
        ANALYTES.put("HBA2", new Analyte("%", 2.0, 3.5, 0.8, 1));
        ANALYTES.put("GLU", new Analyte("mmol/L", 3.9, 6.1, 2.5, 1));
        ANALYTES.put("HBA1C", new Analyte("%", 4.0, 6.0, 1.2, 1));
        ANALYTES.put("TSH", new Analyte("mIU/L", 0.4, 4.0, 2.5, 2));
        ANALYTES.put("FT4", new Analyte("pmol/L", 12, 22, 1.0, 1));
        ANALYTES.put("TPOAB", new Analyte("IU/mL", 0, 34, 8, 0));
        ANALYTES.put("TRAB", new Analyte("IU/L", 0, 1.75, 4, 2));
        ANALYTES.put("ALT", new Analyte("U/L", 7, 40, 2, 0));
        ANALYTES.put("AST", new Analyte("U/L", 13, 35, 2, 0));
        ANALYTES.put("TBIL", new Analyte("umol/L", 3.4, 20.5, 1.5, 1));
        ANALYTES.put("CREA", new Analyte("umol/L", 45, 105, 1.2, 0));
        ANALYTES.put("UA", new Analyte("umol/L", 150, 420, 0.8, 0));
        ANALYTES.put("CRP", new Analyte("mg/L", 0, 10, 6, 1));
        ANALYTES.put("BLAST", new Analyte("%", 0, 0.5, 60, 0));
        ANALYTES.put("TNI", new Analyte("ng/mL", 0, 0.04, 40, 2));
    }

    @Override public Set<String> keys() { return Set.of("abnormal", "normal", "title"); }

    @Override
    public BufferedImage render(Sig s, SplittableRandom r) {
        BufferedImage im = Draw.image(W, H);
        Graphics2D g = Draw.g(im);
        g.setColor(Draw.rgb(252, 252, 248));
        g.fillRect(0, 0, W, H);
        g.setColor(Draw.gray(20));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(s.str("title", "LABORATORY REPORT"), 12, 24);
        g.setFont(new Font(Font.MONOSPACED, Font.PLAIN, 10));
        g.drawString(String.format(Locale.ROOT, "Sample %06d   Serum/EDTA", r.nextInt(1_000_000)), 12, 42);
        g.drawLine(10, 50, W - 10, 50);
        g.setFont(new Font(Font.MONOSPACED, Font.BOLD, 10));
        g.drawString("TEST       RESULT  FLAG UNIT      RANGE", 12, 64);
        g.setFont(new Font(Font.MONOSPACED, Font.PLAIN, 10));
        int y = 82;
        for (Row row : rows(s, r)) {
            Analyte a = ANALYTES.get(row.name);
            String flag = row.value > a.hi ? "H" : row.value < a.lo ? "L" : "";
            g.setColor(flag.isEmpty() ? Draw.gray(20) : Draw.rgb(190, 20, 20));
            g.drawString(String.format(Locale.ROOT, "%-10s %7s %-4s %-9s %s-%s", row.name, fmt(row.value, a.decimals), flag,
                    a.unit, fmt(a.lo, a.decimals), fmt(a.hi, a.decimals)), 12, y);
            y += 17;
        }
        g.setColor(Draw.gray(120));
        g.drawLine(10, H - 30, W - 10, H - 30);
        g.drawString("Verified", 12, H - 14);
        g.dispose();
        Draw.noise(im, 3, r);
        return im;
    }

    record Row(String name, double value) {}

    /** The rows, abnormal analytes first in the knowledge base's order, then the normal ones. */
    static List<Row> rows(Sig s, SplittableRandom r) {
        List<Row> out = new ArrayList<>();
        var ab = s.get("abnormal");
        if (ab != null) ab.properties().forEach(e -> out.add(new Row(e.getKey(), value(e.getKey(), e.getValue().asText(), r))));
        var nm = s.get("normal");
        if (nm != null) for (var n : nm) out.add(new Row(n.asText(), value(n.asText(), "normal", r)));
        return out;
    }

    static double value(String name, String status, SplittableRandom r) {
        Analyte a = ANALYTES.get(name);
        if (a == null) throw new IllegalArgumentException("unknown lab analyte '" + name + "'; known: " + ANALYTES.keySet());
        double range = a.hi - a.lo;
        double v = switch (status) {
            case "high" -> a.hi + range * a.spread * Draw.between(r, 0.25, 1.0);
            case "low" -> Math.max(a.lo * 0.1, a.lo - range * a.spread * Draw.between(r, 0.25, 1.0));
            case "normal" -> a.lo + range * Draw.between(r, 0.15, 0.85);
            default -> throw new IllegalArgumentException("lab status must be high, low or normal, got '" + status + "'");
        };
        double q = Math.pow(10, a.decimals);
        return Math.round(v * q) / q;
    }

    private static String fmt(double v, int decimals) { return String.format(Locale.ROOT, "%." + decimals + "f", v); }
}
