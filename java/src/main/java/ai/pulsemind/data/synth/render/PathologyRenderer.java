package ai.pulsemind.data.synth.render;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * An H&amp;E-stained section at medium power: eosin-pink stroma and haematoxylin-purple nuclei. The signature is
 * the architecture (follicles with pale germinal centres, diffuse sheets of large atypical cells, granulomas
 * with or without caseous necrosis, an epithelium with full-thickness dysplasia, or benign epithelium with
 * stromal inflammation) and the nuclear size and pleomorphism.
 */
final class PathologyRenderer implements Renderer {
    static final int W = 224, H = 224;

    @Override public Set<String> keys() { return Set.of("architecture", "nuclear_size", "pleomorphism", "necrosis", "inflammation"); }

    @Override
    public BufferedImage render(Sig s, SplittableRandom r) {
        BufferedImage im = Draw.image(W, H);
        Graphics2D g = Draw.g(im);
        g.setColor(Draw.rgb(238, 190, 210));
        g.fillRect(0, 0, W, H);
        g.setColor(Draw.rgb(225, 160, 190)); // collagen fibres
        Draw.stroke(g, 1);
        for (int i = 0; i < 60; i++) { int x = r.nextInt(W), y = r.nextInt(H); g.drawLine(x, y, x + r.nextInt(-20, 21), y + r.nextInt(-6, 7)); }
        double ns = switch (s.str("nuclear_size", "small")) { case "large" -> 5.0; case "medium" -> 3.6; default -> 2.4; };
        double pleo = s.str("pleomorphism", "low").equals("high") ? 0.6 : 0.12;
        switch (s.str("architecture", "normal")) {
            case "follicles" -> {
                nuclei(g, r, 900, 0, 0, W, H, 2.3, 0.1, lymph(r));
                for (int i = 0; i < 3; i++) {
                    double cx = Draw.between(r, 40, 184), cy = Draw.between(r, 40, 184), rad = Draw.between(r, 24, 34);
                    g.setColor(Draw.rgb(225, 185, 215)); // pale germinal centre
                    g.fill(new Ellipse2D.Double(cx - rad, cy - rad, 2 * rad, 2 * rad));
                    nucleiIn(g, r, 40, cx, cy, rad * 0.9, 3.2, 0.3, Draw.rgb(150, 90, 170));
                }
            }
            case "sheets" -> nuclei(g, r, 520, 0, 0, W, H, ns, pleo, Draw.rgb(95, 45, 130));
            case "granuloma" -> {
                nuclei(g, r, 350, 0, 0, W, H, 2.3, 0.1, lymph(r));
                for (int i = 0; i < 2; i++) {
                    double cx = Draw.between(r, 60, 164), cy = Draw.between(r, 60, 164), rad = Draw.between(r, 30, 40);
                    g.setColor(Draw.rgb(240, 205, 220));
                    g.fill(new Ellipse2D.Double(cx - rad, cy - rad, 2 * rad, 2 * rad));
                    if (s.flag("necrosis")) { // caseous centre: structureless granular pink
                        g.setColor(Draw.rgb(245, 160, 185));
                        g.fill(Draw.blob(cx, cy, rad * 0.55, rad * 0.5, "irregular", 0.1, r));
                        for (int k = 0; k < 40; k++) { g.setColor(Draw.rgb(200, 120, 160)); g.fill(new Ellipse2D.Double(cx + Draw.between(r, -0.5, 0.5) * rad, cy + Draw.between(r, -0.45, 0.45) * rad, 1.5, 1.5)); }
                    }
                    for (int k = 0; k < 26; k++) { // epithelioid nuclei in a ring, and a giant cell's horseshoe
                        double t = 2 * Math.PI * k / 26, rr = rad * Draw.between(r, 0.65, 0.9);
                        g.setColor(Draw.rgb(130, 80, 160));
                        g.fill(new Ellipse2D.Double(cx + rr * Math.cos(t), cy + rr * Math.sin(t), 6, 3));
                    }
                }
            }
            case "dysplasia", "epithelium" -> {
                boolean dys = s.str("architecture", "").equals("dysplasia");
                g.setColor(Draw.rgb(235, 175, 200));
                g.fillRect(0, 40, W, 90);
                nuclei(g, r, dys ? 420 : 120, 0, dys ? 40 : 100, W, dys ? 90 : 30, dys ? 4.5 : 2.8, dys ? 0.5 : 0.1, Draw.rgb(90, 40, 120));
                if (s.flag("inflammation")) nuclei(g, r, 260, 0, 135, W, 89, 2.0, 0.1, lymph(r));
            }
            default -> nuclei(g, r, 200, 0, 0, W, H, ns, pleo, Draw.rgb(110, 60, 150));
        }
        g.dispose();
        Draw.noise(im, 4, r);
        return im;
    }

    private static Color lymph(SplittableRandom r) { return Draw.rgb(70 + r.nextInt(10), 35, 110); }

    private static void nuclei(Graphics2D g, SplittableRandom r, int n, double x0, double y0, double w, double h, double size, double pleo, Color c) {
        for (int i = 0; i < n; i++) {
            double s = size * (1 + pleo * Draw.gauss(r)), x = x0 + r.nextDouble() * w, y = y0 + r.nextDouble() * h;
            s = Math.max(1.2, s);
            int d = (int) (pleo * 40 * r.nextDouble()); // pleomorphic nuclei are also darker and uneven
            g.setColor(Draw.rgb(c.getRed() - d, c.getGreen() - d, c.getBlue() - d));
            g.fill(new Ellipse2D.Double(x, y, s * Draw.between(r, 0.9, 1.4), s));
        }
    }

    private static void nucleiIn(Graphics2D g, SplittableRandom r, int n, double cx, double cy, double rad, double size, double pleo, Color c) {
        for (int i = 0; i < n; i++) {
            double t = r.nextDouble() * 2 * Math.PI, d = Math.sqrt(r.nextDouble()) * rad;
            g.setColor(c);
            double s = size * (1 + pleo * Draw.gauss(r));
            g.fill(new Ellipse2D.Double(cx + d * Math.cos(t), cy + d * Math.sin(t), Math.max(1.5, s), Math.max(1.5, s)));
        }
    }
}
