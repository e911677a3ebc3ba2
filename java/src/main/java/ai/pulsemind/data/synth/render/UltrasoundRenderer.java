package ai.pulsemind.data.synth.render;

import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.Arc2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * B-mode ultrasound: a sector of speckled tissue, an organ, and lesions whose echogenicity, shape, margin,
 * posterior acoustic feature (shadow or enhancement), wall, calcifications and internal pattern are the
 * signature. Parameters: organ, parenchyma (normal|bright|coarse), nodular_surface, ascites, free_fluid,
 * lesions[{echo, shape, margin, size, posterior, wall, calcs, halo, target, count, septa, follicles}].
 */
final class UltrasoundRenderer implements Renderer {
    static final int W = 224, H = 224;

    @Override public Set<String> keys() {
        return Set.of("organ", "thick_wall", "parenchyma", "nodular_surface", "ascites", "free_fluid", "lesions");
    }

    @Override
    public BufferedImage render(Sig s, SplittableRandom r) {
        BufferedImage im = Draw.image(W, H);
        Graphics2D g = Draw.g(im);
        Shape sector = new Arc2D.Double(W / 2.0 - 250, -236, 500, 500, 235, 70, Arc2D.PIE);
        g.setColor(Draw.gray(0));
        g.fillRect(0, 0, W, H);
        String parenchyma = s.str("parenchyma", "normal");
        int tissue = switch (parenchyma) { case "bright" -> 150; case "coarse" -> 105; default -> 95; };
        g.setColor(Draw.gray(tissue));
        g.fill(sector);
        g.setClip(sector);
        organ(g, s.str("organ", "generic"), r);
        if (s.flag("thick_wall")) { // oedematous gallbladder wall: a thick bright rim with a dark middle layer
            Shape wall = new Ellipse2D.Double(30, 60, 164, 84);
            g.setColor(Draw.gray(185));
            Draw.stroke(g, 9);
            g.draw(wall);
            g.setColor(Draw.gray(40));
            Draw.stroke(g, 2.5);
            g.draw(wall);
        }
        if (parenchyma.equals("coarse")) for (int i = 0; i < 40; i++) {
            double x = Draw.between(r, 20, W - 20), y = Draw.between(r, 40, H - 10), rr = Draw.between(r, 4, 9);
            g.setColor(Draw.gray(tissue + (r.nextBoolean() ? 25 : -25)));
            g.fill(new Ellipse2D.Double(x - rr, y - rr, 2 * rr, 2 * rr));
        }
        if (s.flag("nodular_surface") || s.flag("ascites")) {
            g.setColor(Draw.gray(5)); // anechoic fluid between the abdominal wall and a lumpy liver edge
            Path2D edge = new Path2D.Double();
            edge.moveTo(0, 30);
            for (int x = 0; x <= W; x += 8) edge.lineTo(x, 44 + (s.flag("nodular_surface") ? 5 * Math.sin(x / 6.0 + r.nextDouble()) : 0));
            edge.lineTo(W, 30);
            edge.closePath();
            if (s.flag("ascites")) { g.fill(new Rectangle2D.Double(0, 30, W, 14)); }
            g.setColor(Draw.gray(s.flag("ascites") ? 5 : tissue + 40));
            Draw.stroke(g, 2);
            g.draw(edge);
        }
        if (s.flag("free_fluid")) {
            g.setColor(Draw.gray(4));
            g.fill(Draw.blob(Draw.between(r, 50, 90), Draw.between(r, 150, 180), 30, 14, "irregular", 0.2, r));
        }
        for (Sig l : s.list("lesions")) {
            int count = (int) l.num("count", 1);
            if (count > 1) count = count + r.nextInt(2);
            for (int i = 0; i < count; i++) lesion(g, l, r, count > 1);
        }
        g.dispose();
        Draw.speckle(im, parenchyma.equals("coarse") ? 0.7 : 0.5, r);
        Draw.blur(im);
        // Far field fades (attenuation), stronger in a fatty liver.
        double att = parenchyma.equals("bright") ? 0.0045 : 0.0018;
        int[] px = ((java.awt.image.DataBufferInt) im.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                int v = (int) ((px[y * W + x] & 255) * Math.exp(-att * y));
                px[y * W + x] = (v << 16) | (v << 8) | v;
            }
        return im;
    }

    private static void organ(Graphics2D g, String organ, SplittableRandom r) {
        switch (organ) {
            case "kidney" -> {
                g.setColor(Draw.gray(80));
                g.fill(new Ellipse2D.Double(45, 70, 135, 80));
                g.setColor(Draw.gray(175)); // echogenic renal sinus
                g.fill(Draw.blob(112, 110, 35, 14, "lobulated", 0, r));
            }
            case "thyroid" -> {
                g.setColor(Draw.gray(125));
                g.fill(new Ellipse2D.Double(40, 60, 150, 95));
                g.setColor(Draw.gray(20)); // carotid artery beside the lobe
                g.fill(new Ellipse2D.Double(180, 95, 34, 34));
            }
            case "breast" -> {
                for (int i = 0; i < 5; i++) { // layers: skin, fat lobules, glandular tissue
                    g.setColor(Draw.gray(i % 2 == 0 ? 120 : 70));
                    g.fill(new Rectangle2D.Double(0, 30 + i * 30 + r.nextInt(6), W, 18));
                }
            }
            case "gallbladder" -> { // the anechoic lumen the lesions sit in
                g.setColor(Draw.gray(4));
                g.fill(Draw.blob(112, 102, 78, 38, "smooth", 0.05, r));
            }
            case "pelvis" -> {
                g.setColor(Draw.gray(85));
                g.fill(new Ellipse2D.Double(60, 60, 120, 90));
            }
            case "bowel" -> {
                g.setColor(Draw.gray(100));
                for (int i = 0; i < 6; i++) g.fill(new Ellipse2D.Double(r.nextInt(W), 40 + r.nextInt(150), 30, 18));
            }
            default -> { }
        }
    }

    private static void lesion(Graphics2D g, Sig l, SplittableRandom r, boolean many) {
        double size = l.size(0.06, 0.11, 0.17) * W * (many ? 0.6 : 1) * Draw.between(r, 0.85, 1.15);
        double cx = Draw.between(r, 80, 145) + (many ? Draw.between(r, -40, 40) : 0), cy = Draw.between(r, 85, 120) + (many ? Draw.between(r, -25, 25) : 0);
        String shape = l.str("shape", "round");
        double rx = size, ry = switch (shape) { case "oval" -> size * 0.65; case "taller" -> size * 1.35; case "tubular" -> size * 0.4; default -> size; };
        if (shape.equals("tubular")) rx = size * 1.8;
        Shape outline = Draw.blob(cx, cy, rx, ry, l.str("margin", "smooth"), shape.equals("irregular") ? 0.25 : 0.05, r);
        String echo = l.str("echo", "hypoechoic");
        int v = switch (echo) { case "anechoic" -> 3; case "hypoechoic" -> 35; case "isoechoic" -> 112; case "hyperechoic" -> 200; case "ground_glass" -> 62; default -> 90; };
        var b = outline.getBounds2D();
        String post = l.str("posterior", "none");
        if (!post.equals("none")) { // shadow or enhancement column behind the lesion
            g.setColor(post.equals("shadow") ? Draw.alpha(Draw.gray(0), 215) : Draw.alpha(Draw.gray(255), 70));
            g.fill(new Rectangle2D.Double(b.getCenterX() - b.getWidth() * 0.35, b.getMaxY(), b.getWidth() * 0.7, H));
        }
        if (l.flag("halo")) { g.setColor(Draw.gray(15)); Draw.stroke(g, 4); g.draw(outline); }
        if (l.flag("target")) { // concentric rings: bowel within bowel
            for (int k = 0; k < 4; k++) {
                double f = 1 - k * 0.22;
                g.setColor(Draw.gray(k % 2 == 0 ? 45 : 160));
                g.fill(new Ellipse2D.Double(cx - size * f, cy - size * f, 2 * size * f, 2 * size * f));
            }
            return;
        }
        g.setColor(Draw.gray(v));
        g.fill(outline);
        if (echo.equals("mixed")) {
            g.setColor(Draw.gray(210)); // echogenic plug with a dark fluid part: dermoid
            g.fill(Draw.blob(cx - size * 0.25, cy, size * 0.45, size * 0.4, "smooth", 0, r));
        }
        if (l.flag("wall")) { g.setColor(Draw.gray(190)); Draw.stroke(g, 5); g.draw(outline); }
        if (l.flag("septa")) { g.setColor(Draw.gray(170)); Draw.stroke(g, 1.5); g.drawLine((int) (cx - rx), (int) cy, (int) (cx + rx), (int) (cy + 3)); }
        if (l.flag("calcs")) {
            g.setColor(Draw.gray(250));
            for (int k = 0; k < 14; k++) {
                double x = cx + Draw.between(r, -0.6, 0.6) * rx, y = cy + Draw.between(r, -0.6, 0.6) * ry;
                g.fill(new Ellipse2D.Double(x, y, 3, 3));
            }
        }
        if (l.flag("follicles")) { // many small peripheral anechoic follicles
            for (int k = 0; k < 12; k++) {
                double t = 2 * Math.PI * k / 12;
                g.setColor(Draw.gray(5));
                g.fill(new Ellipse2D.Double(cx + 0.75 * rx * Math.cos(t) - 5, cy + 0.75 * ry * Math.sin(t) - 5, 10, 10));
            }
        }
        if (l.flag("bright_focus")) { // a stone: bright curved surface
            g.setColor(Draw.gray(245));
            Draw.stroke(g, 4);
            g.draw(new Arc2D.Double(b.getX(), b.getY(), b.getWidth(), b.getHeight(), 20, 140, Arc2D.OPEN));
        }
    }
}
