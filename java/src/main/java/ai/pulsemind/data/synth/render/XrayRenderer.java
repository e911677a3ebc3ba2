package ai.pulsemind.data.synth.render;

import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.Arc2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Plain radiographs. Chest (PA): lungs, ribs, heart, and findings: consolidation (zone), cavity, effusion
 * (blunted angle with a meniscus), pneumothorax (a dark rim without lung markings), cardiomegaly,
 * hyperinflation, peribronchial cuffing. Bone (wrist, knee, hand, foot): cortices, joints, and fracture
 * (transverse/oblique, displaced), soft-tissue swelling, joint-space narrowing with osteophytes, periarticular
 * erosions with osteopenia, punched-out erosions with a tophus.
 */
final class XrayRenderer implements Renderer {
    static final int W = 224, H = 224;

    @Override public Set<String> keys() {
        return Set.of("region", "consolidation", "zone", "cavity", "effusion", "bilateral", "pneumothorax", "cardiomegaly",
                "hyperinflation", "cuffing", "fracture", "displaced", "swelling", "narrowing", "osteophytes", "erosions",
                "osteopenia", "tophus");
    }

    @Override
    public BufferedImage render(Sig s, SplittableRandom r) {
        BufferedImage im = Draw.image(W, H);
        Graphics2D g = Draw.g(im);
        g.setColor(Draw.gray(8));
        g.fillRect(0, 0, W, H);
        if (s.str("region", "chest").equals("chest")) chest(g, s, r);
        else bone(g, s, r);
        g.dispose();
        Draw.noise(im, 6, r);
        Draw.blur(im);
        return im;
    }

    private static void chest(Graphics2D g, Sig s, SplittableRandom r) {
        double cx = W / 2.0 + Draw.between(r, -3, 3);
        g.setColor(Draw.gray(120));
        g.fill(new RoundRectangle2D.Double(cx - 100, 10, 200, 214, 60, 60));
        boolean hyper = s.flag("hyperinflation");
        double lungH = hyper ? 175 : 150, top = 22;
        Shape left = Draw.blob(cx - 48, top + lungH / 2, 40, lungH / 2, "smooth", 0.03, r);
        Shape right = Draw.blob(cx + 48, top + lungH / 2, 40, lungH / 2, "smooth", 0.03, r);
        g.setColor(Draw.gray(hyper ? 30 : 45));
        g.fill(left);
        g.fill(right);
        g.setColor(Draw.gray(90)); // bronchovascular markings
        Draw.stroke(g, 1);
        for (int i = 0; i < 26; i++) {
            double sx = cx + (i % 2 == 0 ? -1 : 1) * 16, ex = cx + (i % 2 == 0 ? -1 : 1) * Draw.between(r, 35, 80);
            g.draw(new Line2D.Double(sx, 80 + Draw.between(r, -10, 10), ex, Draw.between(r, 35, 160)));
        }
        if (s.flag("cuffing")) { g.setColor(Draw.gray(160)); for (int i = 0; i < 10; i++) { double x = cx + (r.nextBoolean() ? -1 : 1) * Draw.between(r, 18, 40); g.draw(new Ellipse2D.Double(x, Draw.between(r, 60, 120), 6, 6)); } }
        g.setColor(Draw.alpha(Draw.gray(200), 90)); // ribs
        Draw.stroke(g, 3);
        for (int i = 0; i < 9; i++) {
            g.draw(new Arc2D.Double(cx - 95, top + i * 17, 90, 40, 20, 140, Arc2D.OPEN));
            g.draw(new Arc2D.Double(cx + 5, top + i * 17, 90, 40, 20, 140, Arc2D.OPEN));
        }
        double hw = s.flag("cardiomegaly") ? 62 : 40; // heart: cardiothoracic ratio ~0.6 vs ~0.4
        g.setColor(Draw.gray(175));
        g.fill(Draw.blob(cx + hw * 0.25, top + lungH * 0.78, hw, 34, "smooth", 0.02, r));
        g.fill(new RoundRectangle2D.Double(cx - 12, 10, 24, 90, 10, 10));
        double dome = top + lungH;
        g.setColor(Draw.gray(185)); // diaphragm
        g.fill(new Arc2D.Double(cx - 95, dome - (hyper ? 4 : 18), 92, hyper ? 8 : 36, 0, 180, Arc2D.CHORD));
        g.fill(new Arc2D.Double(cx + 3, dome - (hyper ? 4 : 14), 92, hyper ? 8 : 30, 0, 180, Arc2D.CHORD));
        g.fillRect((int) (cx - 100), (int) dome, 200, H);
        double side = r.nextBoolean() ? -1 : 1;
        if (s.flag("consolidation")) {
            double y = s.str("zone", "lower").equals("upper") ? top + 35 : top + lungH * 0.7;
            g.setColor(Draw.alpha(Draw.gray(190), 190));
            g.fill(Draw.blob(cx + side * 50, y, 28, 24, "irregular", 0.15, r));
        }
        if (s.flag("cavity")) {
            double y = top + 38;
            g.setColor(Draw.gray(185));
            g.fill(Draw.blob(cx + side * 50, y, 20, 18, "irregular", 0.1, r));
            g.setColor(Draw.gray(30));
            g.fill(new Ellipse2D.Double(cx + side * 50 - 9, y - 8, 18, 15));
        }
        if (s.flag("effusion")) {
            for (double sd : s.flag("bilateral") ? new double[] {-1, 1} : new double[] {side}) {
                double h = s.flag("bilateral") ? 20 : 55;
                Path2D p = new Path2D.Double(); // meniscus: higher laterally
                p.moveTo(cx + sd * 12, dome + 4);
                p.quadTo(cx + sd * 55, dome - h * 0.4, cx + sd * 92, dome - h);
                p.lineTo(cx + sd * 92, dome + 10);
                p.closePath();
                g.setColor(Draw.gray(195));
                g.fill(p);
            }
        }
        if (s.flag("pneumothorax")) {
            g.setColor(Draw.gray(6)); // no markings lateral to the visceral pleural line
            Shape rim = Draw.blob(cx + side * 60, top + 60, 30, 70, "smooth", 0, r);
            g.fill(rim);
            g.setColor(Draw.gray(215));
            Draw.stroke(g, 1.2);
            g.draw(new Arc2D.Double(cx + side * 60 - 38, top, 76, 150, side < 0 ? 90 : -90, 180, Arc2D.OPEN));
        }
    }

    private static void bone(Graphics2D g, Sig s, SplittableRandom r) {
        String region = s.str("region", "wrist");
        boolean pen = s.flag("osteopenia");
        int boneV = pen ? 165 : 215;
        g.setColor(Draw.gray(s.flag("swelling") ? 105 : 80)); // soft tissue
        double tw = s.flag("swelling") ? 150 : 120;
        g.fill(new RoundRectangle2D.Double(W / 2.0 - tw / 2, 0, tw, H, 50, 50));
        double gap = s.flag("narrowing") ? 3 : 10; // joint space
        int n = region.equals("hand") || region.equals("foot") ? 3 : region.equals("knee") ? 1 : 2;
        double width = n == 1 ? 70 : n == 2 ? 30 : 18, jy = Draw.between(r, 95, 115);
        for (int i = 0; i < n; i++) {
            double x = W / 2.0 + (i - (n - 1) / 2.0) * (width + 12) - width / 2;
            g.setColor(Draw.gray(boneV));
            g.fill(new RoundRectangle2D.Double(x, 0, width, jy - gap / 2, 18, 18));
            g.fill(new RoundRectangle2D.Double(x - 2, jy + gap / 2, width + 4, H, 18, 18));
            g.setColor(Draw.gray(boneV - 55)); // medulla: darker than the cortex
            g.fill(new RoundRectangle2D.Double(x + width * 0.25, 0, width * 0.5, jy - gap / 2 - 10, 10, 10));
            g.fill(new RoundRectangle2D.Double(x + width * 0.25, jy + gap / 2 + 10, width * 0.5, H, 10, 10));
            if (s.flag("osteophytes")) {
                g.setColor(Draw.gray(boneV));
                g.fill(new Arc2D.Double(x - 8, jy - 12, 16, 16, 90, 180, Arc2D.PIE));
                g.fill(new Arc2D.Double(x + width - 8, jy - 12, 16, 16, -90, 180, Arc2D.PIE));
            }
            if (s.flag("erosions")) { // bites out of the bone at the joint margins
                g.setColor(Draw.gray(s.flag("tophus") ? 80 : 90));
                g.fill(new Ellipse2D.Double(x - 4, jy + gap / 2 + 2, s.flag("tophus") ? 12 : 8, s.flag("tophus") ? 12 : 7));
                g.fill(new Ellipse2D.Double(x + width - 5, jy - gap / 2 - 8, 8, 7));
            }
        }
        if (s.flag("tophus")) { g.setColor(Draw.gray(135)); g.fill(Draw.blob(W / 2.0 + 62, jy, 16, 14, "lobulated", 0.1, r)); }
        if (s.has("fracture")) {
            // A lucent band across the radius (the left bone), zig-zag when oblique; displaced: the distal piece steps off.
            double x0 = W / 2.0 - 21 - 15, x1 = x0 + 30, fy = jy + Draw.between(r, 24, 36);
            boolean oblique = s.str("fracture", "transverse").equals("oblique");
            if (s.flag("displaced")) {
                g.setColor(Draw.gray(s.flag("swelling") ? 105 : 80));
                g.fill(new java.awt.geom.Rectangle2D.Double(x0 - 2, jy + gap / 2, 42, fy - jy - gap / 2));
                g.setColor(Draw.gray(boneV));
                g.fill(new RoundRectangle2D.Double(x0 - 9, jy + gap / 2, 34, fy - jy - gap / 2, 8, 8));
            }
            g.setColor(Draw.gray(20));
            Draw.stroke(g, 5);
            Path2D line = new Path2D.Double();
            line.moveTo(x0 - 4, fy + (oblique ? -10 : 0));
            for (int k = 1; k <= 4; k++) line.lineTo(x0 - 4 + k * 12, fy + (oblique ? -10 + 5 * k : (k % 2 == 0 ? -3 : 3)));
            g.draw(line);
        }
    }
}
