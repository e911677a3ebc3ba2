package ai.pulsemind.data.synth.render;

import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.Arc2D;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * An axial CT or MRI slice of the head or chest. Head: skull, brain, ventricles, and a lesion whose density
 * (hypo, hyper), enhancement (none, ring, homogeneous), edema, shape (wedge for an arterial territory),
 * extra-axial position and mass effect are the signature. Chest: lungs and a nodule whose margin, size,
 * calcification and cavity are. Parameters: region (head|chest), lesion{density, enhancement, edema, wedge,
 * extra_axial, mass_effect, margin, size, calcified, cavity, rim}.
 */
final class CrossSectionRenderer implements Renderer {
    static final int W = 224, H = 224;
    private final boolean mri;

    CrossSectionRenderer(boolean mri) { this.mri = mri; }

    @Override public Set<String> keys() { return Set.of("region", "lesion"); }

    @Override
    public BufferedImage render(Sig s, SplittableRandom r) {
        BufferedImage im = Draw.image(W, H);
        Graphics2D g = Draw.g(im);
        g.setColor(Draw.gray(0));
        g.fillRect(0, 0, W, H);
        Sig l = s.has("lesion") ? new Sig(s.get("lesion")) : null;
        if (s.str("region", "head").equals("chest")) chest(g, l, r);
        else head(g, l, r);
        g.dispose();
        Draw.noise(im, mri ? 7 : 5, r);
        Draw.blur(im);
        return im;
    }

    private void head(Graphics2D g, Sig l, SplittableRandom r) {
        double cx = W / 2.0 + Draw.between(r, -4, 4), cy = H / 2.0 + Draw.between(r, -4, 4), rx = 82, ry = 100;
        g.setColor(Draw.gray(mri ? 30 : 235)); // skull: bright on CT, dark cortical bone on MRI
        g.fill(new Ellipse2D.Double(cx - rx - 8, cy - ry - 8, 2 * rx + 16, 2 * ry + 16));
        if (mri) { g.setColor(Draw.gray(170)); g.fill(new Ellipse2D.Double(cx - rx - 5, cy - ry - 5, 2 * rx + 10, 2 * ry + 10)); g.setColor(Draw.gray(30)); g.fill(new Ellipse2D.Double(cx - rx - 2, cy - ry - 2, 2 * rx + 4, 2 * ry + 4)); }
        int brain = mri ? 120 : 105;
        g.setColor(Draw.gray(brain));
        g.fill(new Ellipse2D.Double(cx - rx, cy - ry, 2 * rx, 2 * ry));
        double shift = l != null && l.flag("mass_effect") ? 9 : 0;
        boolean left = r.nextBoolean();
        double side = left ? -1 : 1;
        g.setColor(Draw.gray(mri ? 35 : 30)); // ventricles (CSF) pushed away from a mass
        double vx = cx - side * shift;
        g.fill(new Ellipse2D.Double(vx - 20, cy - 30, 16, 46));
        g.fill(new Ellipse2D.Double(vx + 4, cy - 30, 16, 46));
        if (l == null) return;
        double size = l.size(0.06, 0.1, 0.14) * W * Draw.between(r, 0.85, 1.15);
        double lx = cx + side * Draw.between(r, 35, 50), ly = cy + Draw.between(r, -35, 30);
        if (l.flag("extra_axial")) { // broad base on the inner skull
            lx = cx + side * (rx - size * 0.7);
            ly = cy - Draw.between(r, 30, 60);
        }
        if (l.flag("edema")) {
            g.setColor(Draw.gray(brain - 30));
            g.fill(Draw.blob(lx, ly, size * 1.9, size * 1.6, "irregular", 0.2, r));
        }
        if (l.flag("wedge")) { // arterial territory: a sector from near the ventricle to the cortex
            double a0 = left ? 150 : -30;
            Shape wedge = new Arc2D.Double(cx - rx * 0.95, cy - ry * 0.95, rx * 1.9, ry * 1.9, a0 + Draw.between(r, -15, 15), 55, Arc2D.PIE);
            g.setColor(Draw.gray(brain - (mri ? -45 : 32))); // dark on CT, bright on diffusion MRI
            g.fill(wedge);
            return;
        }
        String density = l.str("density", "hypo");
        String enh = l.str("enhancement", "none");
        Shape shape = Draw.blob(lx, ly, size, size * Draw.between(r, 0.8, 1.0), l.str("margin", "smooth"), 0.08, r);
        int core = switch (density) { case "hyper" -> mri ? 200 : 200; case "iso" -> brain + 8; default -> brain - 45; };
        g.setColor(Draw.gray(core));
        g.fill(shape);
        if (enh.equals("ring")) {
            g.setColor(Draw.gray(230));
            Draw.stroke(g, l.str("rim", "thin").equals("thick") ? 6 : 2.5);
            g.draw(shape);
        } else if (enh.equals("homogeneous")) {
            g.setColor(Draw.gray(215));
            g.fill(shape);
        }
        if (l.flag("calcified")) { g.setColor(Draw.gray(250)); g.fill(new Ellipse2D.Double(lx - 3, ly - 3, 6, 6)); }
    }

    private void chest(Graphics2D g, Sig l, SplittableRandom r) {
        double cx = W / 2.0, cy = H / 2.0 + 6;
        g.setColor(Draw.gray(100)); // body wall
        g.fill(new Ellipse2D.Double(cx - 104, cy - 74, 208, 148));
        g.setColor(Draw.gray(12)); // lungs: air
        Shape lungL = Draw.blob(cx - 48, cy - 4, 40, 58, "smooth", 0.05, r), lungR = Draw.blob(cx + 48, cy - 4, 40, 58, "smooth", 0.05, r);
        g.fill(lungL);
        g.fill(lungR);
        g.setColor(Draw.gray(70)); // vessels in the lungs
        for (int i = 0; i < 30; i++) {
            double x = cx + (r.nextBoolean() ? -1 : 1) * Draw.between(r, 20, 75), y = cy + Draw.between(r, -50, 45);
            g.fill(new Ellipse2D.Double(x, y, 2.5, 2.5));
        }
        g.setColor(Draw.gray(140)); // mediastinum and spine
        g.fill(new Ellipse2D.Double(cx - 18, cy - 40, 36, 70));
        g.setColor(Draw.gray(230));
        g.fill(new Ellipse2D.Double(cx - 12, cy + 42, 24, 22));
        if (l == null) return;
        double size = l.size(0.025, 0.05, 0.09) * W * Draw.between(r, 0.85, 1.15);
        double lx = cx + (r.nextBoolean() ? -1 : 1) * Draw.between(r, 40, 58), ly = cy + Draw.between(r, -35, 25);
        Shape nod = Draw.blob(lx, ly, size, size, l.str("margin", "smooth"), 0.05, r);
        g.setColor(Draw.gray(l.flag("calcified") ? 245 : 120));
        g.fill(nod);
        if (l.flag("cavity")) { g.setColor(Draw.gray(10)); g.fill(Draw.blob(lx, ly, size * 0.55, size * 0.5, "smooth", 0, r)); }
    }
}
