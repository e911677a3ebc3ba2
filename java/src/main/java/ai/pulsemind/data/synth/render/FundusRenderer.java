package ai.pulsemind.data.synth.render;

import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.QuadCurve2D;
import java.awt.image.BufferedImage;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A colour fundus photograph: orange-red retina, optic disc with a cup, vessel arcades, macula. The signature:
 * cup-to-disc ratio, disc swelling, dot-blot or flame haemorrhages, hard exudates, cotton-wool spots and
 * narrowed arteries with AV nicking.
 */
final class FundusRenderer implements Renderer {
    static final int W = 224, H = 224;

    @Override public Set<String> keys() { return Set.of("cup", "swollen_disc", "dot_hemorrhages", "flame_hemorrhages", "exudates", "cotton_wool", "narrow_arteries"); }

    @Override
    public BufferedImage render(Sig s, SplittableRandom r) {
        BufferedImage im = Draw.image(W, H);
        Graphics2D g = Draw.g(im);
        g.setColor(Draw.gray(0));
        g.fillRect(0, 0, W, H);
        g.setClip(new Ellipse2D.Double(4, 4, W - 8, H - 8));
        g.setColor(Draw.rgb(200 + r.nextInt(20), 90 + r.nextInt(20), 40));
        g.fillRect(0, 0, W, H);
        double dx = 150 + Draw.between(r, -6, 6), dy = 112 + Draw.between(r, -6, 6), dr = 17;
        g.setColor(Draw.rgb(120, 40, 20)); // macula
        g.fill(new Ellipse2D.Double(dx - 90, dy - 10, 22, 22));
        double artW = s.flag("narrow_arteries") ? 1.3 : 2.4;
        for (int i = 0; i < 4; i++) { // arcades: veins dark and wide, arteries lighter
            double sign = i < 2 ? -1 : 1, spread = i % 2 == 0 ? 60 : 85;
            g.setColor(i % 2 == 0 ? Draw.rgb(140, 30, 30) : Draw.rgb(200, 55, 45));
            Draw.stroke(g, i % 2 == 0 ? 3.6 : artW);
            g.draw(new QuadCurve2D.Double(dx, dy, dx - 70, dy + sign * spread, dx - 150, dy + sign * (spread - 25) + Draw.between(r, -8, 8)));
        }
        boolean swollen = s.flag("swollen_disc");
        g.setColor(swollen ? Draw.alpha(Draw.rgb(245, 200, 150), 160) : Draw.rgb(245, 215, 160));
        g.fill(new Ellipse2D.Double(dx - dr * (swollen ? 1.5 : 1), dy - dr * (swollen ? 1.5 : 1), dr * (swollen ? 3 : 2), dr * (swollen ? 3 : 2)));
        double cup = s.num("cup", 0.3) * dr; // cup-to-disc ratio
        g.setColor(Draw.rgb(252, 245, 225));
        if (!swollen) g.fill(new Ellipse2D.Double(dx - cup, dy - cup, 2 * cup, 2 * cup));
        if (s.flag("flame_hemorrhages") || swollen) spots(g, r, swollen ? 6 : 8, dx, dy, swollen ? 30 : 80, 7, 2.5, Draw.rgb(150, 20, 20));
        if (s.flag("dot_hemorrhages")) spots(g, r, 18, 90, 112, 75, 3.5, 3.5, Draw.rgb(130, 15, 15));
        if (s.flag("exudates")) spots(g, r, 22, 85, 112, 60, 3, 3, Draw.rgb(250, 230, 110));
        if (s.flag("cotton_wool")) spots(g, r, 5, 110, 112, 70, 9, 7, Draw.rgb(240, 235, 220));
        g.dispose();
        Draw.noise(im, 4, r);
        return im;
    }

    private static void spots(Graphics2D g, SplittableRandom r, int n, double cx, double cy, double spread, double w, double h, java.awt.Color c) {
        g.setColor(c);
        for (int i = 0; i < n; i++) g.fill(new Ellipse2D.Double(cx + Draw.between(r, -spread, spread), cy + Draw.between(r, -spread, spread), w, h));
    }
}
