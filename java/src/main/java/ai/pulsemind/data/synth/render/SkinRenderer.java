package ai.pulsemind.data.synth.render;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A clinical photo of skin. The signature: lesion colour(s) and how many, asymmetry, border (regular,
 * irregular, notched, ill_defined), size, surface (silvery scale, fine scale, waxy keratin dots, pearly sheen with
 * telangiectasia, central ulcer), and the arrangement (single, plaques, annular ring with central clearing,
 * clustered or scattered vesicles, a dermatomal band).
 */
final class SkinRenderer implements Renderer {
    static final int W = 224, H = 224;

    @Override public Set<String> keys() {
        return Set.of("color", "colors", "asymmetry", "border", "size", "scale", "keratin", "pearly", "ulcer",
                "arrangement", "excoriation", "red_base");
    }

    static Color named(String c, SplittableRandom r) {
        int j = r.nextInt(-8, 9);
        return switch (c) {
            case "brown" -> Draw.rgb(140 + j, 95 + j, 65 + j);
            case "tan" -> Draw.rgb(180 + j, 140 + j, 100 + j);
            case "dark_brown" -> Draw.rgb(85 + j, 55 + j, 40 + j);
            case "black" -> Draw.rgb(35 + j, 28 + j, 30 + j);
            case "blue_gray" -> Draw.rgb(95 + j, 105 + j, 125 + j);
            case "red" -> Draw.rgb(200 + j, 70 + j, 70 + j);
            case "pink" -> Draw.rgb(225 + j, 140 + j, 140 + j);
            case "salmon" -> Draw.rgb(230 + j, 125 + j, 100 + j);
            case "pearly" -> Draw.rgb(235 + j, 200 + j, 195 + j);
            case "white" -> Draw.rgb(240, 238, 230);
            default -> Draw.rgb(190 + j, 120 + j, 110 + j);
        };
    }

    @Override
    public BufferedImage render(Sig s, SplittableRandom r) {
        BufferedImage im = Draw.image(W, H);
        Graphics2D g = Draw.g(im);
        int tone = r.nextInt(0, 50); // skin tones from light to medium
        g.setColor(Draw.rgb(236 - tone, 196 - tone, 170 - tone));
        g.fillRect(0, 0, W, H);
        g.setColor(Draw.rgb(225 - tone, 182 - tone, 158 - tone)); // skin lines
        Draw.stroke(g, 1);
        for (int i = 0; i < 25; i++) g.drawLine(0, r.nextInt(H), W, r.nextInt(H));
        String arr = s.str("arrangement", "single");
        switch (arr) {
            case "plaques" -> { for (int i = 0; i < 3 + r.nextInt(2); i++) patch(g, s, r, Draw.between(r, 40, 184), Draw.between(r, 40, 184), 0.45); }
            case "annular" -> annular(g, s, r);
            case "vesicles_cluster", "vesicles_scattered", "band" -> vesicles(g, s, r, arr);
            default -> patch(g, s, r, W / 2.0 + Draw.between(r, -10, 10), H / 2.0 + Draw.between(r, -10, 10), 1.0);
        }
        if (s.flag("excoriation")) {
            g.setColor(Draw.rgb(170, 50, 50));
            Draw.stroke(g, 1.5);
            for (int i = 0; i < 10; i++) { int x = r.nextInt(40, 184), y = r.nextInt(40, 184); g.drawLine(x, y, x + r.nextInt(-12, 13), y + r.nextInt(4, 14)); }
        }
        g.dispose();
        Draw.noise(im, 4, r);
        return im;
    }

    private static void patch(Graphics2D g, Sig s, SplittableRandom r, double cx, double cy, double scale) {
        double size = s.size(0.06, 0.13, 0.22) * W * scale * Draw.between(r, 0.85, 1.15);
        String border = s.str("border", "regular");
        Shape outline = Draw.blob(cx, cy, size, size * Draw.between(r, 0.8, 1.0), border.equals("regular") ? "smooth" : border,
                s.num("asymmetry", 0), r);
        Color base = named(s.str("color", "brown"), r);
        if (border.equals("ill_defined")) { // a soft halo fading into normal skin
            g.setColor(Draw.alpha(base, 90));
            g.fill(Draw.blob(cx, cy, size * 1.3, size * 1.2, "irregular", 0.1, r));
        }
        g.setColor(base);
        g.fill(outline);
        var extra = s.get("colors");
        if (extra != null && extra.isArray()) { // variegated: off-centre patches of other colours
            for (var c : extra) {
                g.setColor(named(c.asText(), r));
                g.fill(Draw.blob(cx + Draw.between(r, -0.4, 0.4) * size, cy + Draw.between(r, -0.4, 0.4) * size,
                        size * 0.35, size * 0.3, "irregular", 0.2, r));
            }
        }
        String scale2 = s.str("scale", "none");
        if (!scale2.equals("none")) {
            g.setColor(scale2.equals("silvery") ? Draw.rgb(235, 235, 240) : Draw.rgb(230, 215, 200));
            int n = scale2.equals("silvery") ? 60 : 25;
            for (int i = 0; i < n; i++) {
                double x = cx + Draw.between(r, -0.7, 0.7) * size, y = cy + Draw.between(r, -0.7, 0.7) * size;
                g.fill(new Ellipse2D.Double(x, y, scale2.equals("silvery") ? 5 : 3, scale2.equals("silvery") ? 3 : 2));
            }
        }
        if (s.flag("keratin")) { // waxy "stuck-on" surface with keratin cysts
            g.setColor(Draw.rgb(230, 215, 160));
            for (int i = 0; i < 14; i++) g.fill(new Ellipse2D.Double(cx + Draw.between(r, -0.6, 0.6) * size, cy + Draw.between(r, -0.6, 0.6) * size, 3, 3));
        }
        if (s.flag("pearly")) { // rolled translucent edge and fine vessels
            g.setColor(Draw.rgb(250, 235, 235));
            Draw.stroke(g, 3);
            g.draw(outline);
            g.setColor(Draw.rgb(190, 40, 60));
            Draw.stroke(g, 0.8);
            for (int i = 0; i < 5; i++) g.drawLine((int) (cx - size * 0.6), (int) (cy + Draw.between(r, -0.5, 0.5) * size), (int) (cx + size * 0.5), (int) (cy + Draw.between(r, -0.5, 0.5) * size));
        }
        if (s.flag("ulcer")) {
            g.setColor(Draw.rgb(150, 40, 40));
            g.fill(Draw.blob(cx, cy, size * 0.3, size * 0.25, "irregular", 0, r));
        }
    }

    private static void annular(Graphics2D g, Sig s, SplittableRandom r) {
        double cx = W / 2.0 + Draw.between(r, -10, 10), cy = H / 2.0 + Draw.between(r, -10, 10), rad = s.size(0.15, 0.22, 0.3) * W;
        Shape ring = Draw.blob(cx, cy, rad, rad * 0.9, "smooth", 0.05, r);
        g.setColor(named(s.str("color", "red"), r));
        Draw.stroke(g, 9); // active scaly edge, clear centre
        g.draw(ring);
        g.setColor(Draw.rgb(235, 220, 205));
        Draw.stroke(g, 2);
        g.draw(ring);
    }

    /**
     * Vesicular eruptions. band: a continuous red strip with grouped blisters along it (zoster); vesicles_cluster:
     * many small red papules with central blisters, some crusted brown (chickenpox, lesions of different ages);
     * vesicles_scattered: a few small oval grey-white blisters with a thin red halo (hand, foot and mouth).
     */
    private static void vesicles(Graphics2D g, Sig s, SplittableRandom r, String arr) {
        switch (arr) {
            case "band" -> {
                double by = Draw.between(r, 80, 140), tilt = Draw.between(r, -0.3, 0.3);
                g.setColor(Draw.alpha(Draw.rgb(205, 75, 75), 200));
                Draw.stroke(g, 38);
                g.drawLine(0, (int) by, W, (int) (by + tilt * W));
                for (int c = 0; c < 6; c++) {
                    double cx = 15 + c * 38 + Draw.between(r, -6, 6), cy = by + tilt * cx + Draw.between(r, -8, 8);
                    for (int i = 0; i < 7; i++) blister(g, cx + Draw.between(r, -11, 11), cy + Draw.between(r, -8, 8), Draw.between(r, 3, 5), r);
                }
            }
            case "vesicles_cluster" -> {
                for (int i = 0; i < 22; i++) {
                    double x = Draw.between(r, 15, 209), y = Draw.between(r, 15, 209), d = Draw.between(r, 5, 8);
                    g.setColor(Draw.rgb(215, 85, 85));
                    g.fill(new Ellipse2D.Double(x - d, y - d, 2 * d, 2 * d));
                    if (r.nextDouble() < 0.35) { g.setColor(Draw.rgb(120, 70, 40)); g.fill(new Ellipse2D.Double(x - d / 2, y - d / 2, d, d)); }
                    else blister(g, x, y, d * 0.55, r);
                }
            }
            default -> {
                for (int i = 0; i < 9; i++) {
                    double x = Draw.between(r, 20, 204), y = Draw.between(r, 20, 204);
                    g.setColor(Draw.rgb(220, 110, 100));
                    g.fill(new Ellipse2D.Double(x - 5, y - 3.5, 10, 7));
                    g.setColor(Draw.rgb(225, 222, 215));
                    g.fill(new Ellipse2D.Double(x - 3.5, y - 2, 7, 4));
                }
            }
        }
    }

    private static void blister(Graphics2D g, double x, double y, double d, SplittableRandom r) {
        g.setColor(Draw.rgb(245, 240, 225)); // clear fluid dome with a highlight
        g.fill(new Ellipse2D.Double(x - d / 2, y - d / 2, d, d));
        g.setColor(Draw.rgb(255, 255, 255));
        g.fill(new Ellipse2D.Double(x, y - d / 4, Math.max(1, d / 3), Math.max(1, d / 3)));
    }
}
