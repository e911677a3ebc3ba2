package ai.pulsemind.data.synth.render;

import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.QuadCurve2D;
import java.awt.image.BufferedImage;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * An endoscopic view: a round field of pink mucosa with folds, a vessel pattern and a dark lumen. The
 * signature: finding (none, ulcer, mass, polyp, colitis, varices, erosions) and its traits: ulcer base colour
 * and rim (clean round vs heaped irregular), polyp stalk, whether vessels are visible, bleeding spots.
 */
final class EndoscopyRenderer implements Renderer {
    static final int W = 224, H = 224;

    @Override public Set<String> keys() { return Set.of("site", "finding", "margin", "size", "stalk", "vessels", "bleeding", "count"); }

    @Override
    public BufferedImage render(Sig s, SplittableRandom r) {
        BufferedImage im = Draw.image(W, H);
        Graphics2D g = Draw.g(im);
        g.setColor(Draw.gray(0));
        g.fillRect(0, 0, W, H);
        Shape field = new Ellipse2D.Double(6, 6, W - 12, H - 12);
        g.setClip(field);
        boolean colitis = s.str("finding", "none").equals("colitis");
        g.setColor(colitis ? Draw.rgb(205, 80, 75) : Draw.rgb(225, 130, 115));
        g.fill(field);
        double lx = W / 2.0 + Draw.between(r, -30, 30), ly = H / 2.0 + Draw.between(r, -30, 30);
        for (int k = 5; k >= 1; k--) { // folds and depth shading towards the lumen
            g.setColor(Draw.rgb(225 - k * 4 - (6 - k) * 14, 130 - (6 - k) * 14, 115 - (6 - k) * 12));
            g.fill(new Ellipse2D.Double(lx - k * 16, ly - k * 13, k * 32, k * 26));
        }
        g.setColor(Draw.rgb(40, 10, 10));
        g.fill(new Ellipse2D.Double(lx - 12, ly - 10, 24, 20));
        if (s.str("vessels", "visible").equals("visible") && !colitis) {
            g.setColor(Draw.rgb(185, 70, 80));
            Draw.stroke(g, 0.9);
            for (int i = 0; i < 16; i++) {
                double x = r.nextInt(W), y = r.nextInt(H);
                g.draw(new QuadCurve2D.Double(x, y, x + Draw.between(r, -20, 20), y + Draw.between(r, -20, 20), x + Draw.between(r, -30, 30), y + Draw.between(r, -30, 30)));
            }
        }
        finding(g, s, r, lx, ly);
        g.setClip(null);
        g.setColor(Draw.alpha(Draw.gray(255), 140)); // light reflex
        g.fill(new Ellipse2D.Double(60 + r.nextInt(20), 40 + r.nextInt(20), 12, 6));
        g.dispose();
        Draw.noise(im, 4, r);
        return im;
    }

    private static void finding(Graphics2D g, Sig s, SplittableRandom r, double lx, double ly) {
        double fx = lx + (lx < W / 2.0 ? 55 : -55), fy = ly + Draw.between(r, -25, 25);
        double size = s.size(0.06, 0.1, 0.15) * W * Draw.between(r, 0.85, 1.15);
        switch (s.str("finding", "none")) {
            case "ulcer" -> {
                boolean malignant = s.str("margin", "smooth").equals("irregular");
                g.setColor(Draw.rgb(205, 60, 60)); // red rim; heaped and nodular if malignant
                g.fill(Draw.blob(fx, fy, size * (malignant ? 1.5 : 1.25), size * (malignant ? 1.4 : 1.2), malignant ? "irregular" : "smooth", malignant ? 0.2 : 0, r));
                g.setColor(malignant ? Draw.rgb(200, 185, 160) : Draw.rgb(245, 245, 235)); // fibrin base: clean white vs dirty
                g.fill(Draw.blob(fx, fy, size, size * 0.9, malignant ? "irregular" : "smooth", malignant ? 0.25 : 0, r));
            }
            case "mass" -> {
                g.setColor(Draw.rgb(190, 95, 95));
                g.fill(Draw.blob(fx, fy, size * 1.7, size * 1.5, "irregular", 0.3, r));
                g.setColor(Draw.rgb(150, 60, 55));
                for (int i = 0; i < 12; i++) g.fill(new Ellipse2D.Double(fx + Draw.between(r, -size, size), fy + Draw.between(r, -size, size), 6, 5));
            }
            case "polyp" -> {
                if (s.flag("stalk")) { g.setColor(Draw.rgb(210, 115, 105)); Draw.stroke(g, 8); g.drawLine((int) fx, (int) (fy + size * 1.6), (int) fx, (int) fy); }
                g.setColor(Draw.rgb(220, 105, 95));
                g.fill(new Ellipse2D.Double(fx - size, fy - size, 2 * size, 2 * size));
                g.setColor(Draw.alpha(Draw.gray(255), 120));
                g.fill(new Ellipse2D.Double(fx - size * 0.4, fy - size * 0.6, size * 0.5, size * 0.3));
            }
            case "colitis" -> {
                g.setColor(Draw.rgb(245, 235, 215)); // scattered erosions with exudate over granular red mucosa
                for (int i = 0; i < 25; i++) g.fill(new Ellipse2D.Double(r.nextInt(20, 200), r.nextInt(20, 200), 4, 3));
            }
            case "varices" -> {
                g.setColor(Draw.rgb(120, 110, 170));
                for (int i = 0; i < 3; i++) {
                    double a = 2 * Math.PI * i / 3 + r.nextDouble();
                    g.fill(Draw.blob(lx + 55 * Math.cos(a), ly + 55 * Math.sin(a), 14, 30, "lobulated", 0.1, r));
                }
            }
            default -> { }
        }
        if (s.flag("bleeding")) { g.setColor(Draw.rgb(130, 10, 10)); g.fill(Draw.blob(fx + size * 0.6, fy + size, 6, 9, "smooth", 0, r)); }
    }
}
