package ai.pulsemind.data.synth.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.SplittableRandom;

/** Drawing helpers shared by the procedural renderers. Everything draws into TYPE_INT_RGB images. */
final class Draw {
    private Draw() {}

    static BufferedImage image(int w, int h) { return new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB); }

    static Graphics2D g(BufferedImage im) {
        Graphics2D g = im.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        return g;
    }

    static Color gray(int v) { v = clamp(v); return new Color(v, v, v); }

    static Color rgb(int r, int g, int b) { return new Color(clamp(r), clamp(g), clamp(b)); }

    static Color alpha(Color c, int a) { return new Color(c.getRed(), c.getGreen(), c.getBlue(), clamp(a)); }

    static int clamp(int v) { return Math.max(0, Math.min(255, v)); }

    static double gauss(SplittableRandom r) {
        double u = Math.max(1e-12, r.nextDouble()), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    static double between(SplittableRandom r, double lo, double hi) { return lo + (hi - lo) * r.nextDouble(); }

    /**
     * A closed outline around (cx, cy) with mean radius r: "smooth" a gently wobbling ellipse, "lobulated" a few
     * broad lobes, "irregular" many random harmonics, "spiculated" sharp spikes; {@code asym} stretches one side.
     */
    static Path2D blob(double cx, double cy, double rx, double ry, String margin, double asym, SplittableRandom rnd) {
        int n = 96;
        int harmonics = switch (margin) { case "lobulated" -> 3; case "irregular", "notched", "ill_defined" -> 7; default -> 2; };
        double amp = switch (margin) { case "lobulated" -> 0.12; case "irregular", "ill_defined" -> 0.16; case "notched" -> 0.2; default -> 0.04; };
        double[] a = new double[harmonics], ph = new double[harmonics];
        for (int k = 0; k < harmonics; k++) { a[k] = amp * rnd.nextDouble() / (1 + 0.3 * k); ph[k] = rnd.nextDouble() * 2 * Math.PI; }
        double spikeEvery = margin.equals("spiculated") ? 96.0 / (9 + rnd.nextInt(6)) : 0;
        double rot = rnd.nextDouble() * 2 * Math.PI;
        Path2D p = new Path2D.Double();
        for (int i = 0; i < n; i++) {
            double t = 2 * Math.PI * i / n, m = 1;
            for (int k = 0; k < harmonics; k++) m += a[k] * Math.sin((k + 2) * t + ph[k]);
            if (spikeEvery > 0) {
                double d = (i % spikeEvery) / spikeEvery;
                m += 0.55 * Math.max(0, 1 - Math.abs(d - 0.5) * 8) * (0.6 + 0.4 * rnd.nextDouble());
            }
            m *= 1 + asym * Math.cos(t - rot);
            double x = cx + rx * m * Math.cos(t + rot), y = cy + ry * m * Math.sin(t + rot);
            if (i == 0) p.moveTo(x, y); else p.lineTo(x, y);
        }
        p.closePath();
        return p;
    }

    static void stroke(Graphics2D g, double w) { g.setStroke(new BasicStroke((float) w, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND)); }

    /** Adds Gaussian noise of {@code sigma} grey levels to every channel. */
    static void noise(BufferedImage im, double sigma, SplittableRandom r) {
        int[] px = ((DataBufferInt) im.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            int p = px[i];
            int d = (int) Math.round(gauss(r) * sigma);
            px[i] = (clamp(((p >> 16) & 255) + d) << 16) | (clamp(((p >> 8) & 255) + d) << 8) | clamp((p & 255) + d);
        }
    }

    /** Multiplies grey values by exponential (Rayleigh-intensity) speckle, as coherent ultrasound imaging does. */
    static void speckle(BufferedImage im, double strength, SplittableRandom r) {
        int[] px = ((DataBufferInt) im.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            int v = px[i] & 255;
            double s = 1 + strength * (-Math.log(Math.max(1e-9, r.nextDouble())) - 1);
            int o = clamp((int) Math.round(v * s));
            px[i] = (o << 16) | (o << 8) | o;
        }
    }

    /** 3x3 box blur, in place (edges kept). */
    static void blur(BufferedImage im) {
        int w = im.getWidth(), h = im.getHeight();
        int[] px = ((DataBufferInt) im.getRaster().getDataBuffer()).getData(), src = px.clone();
        for (int y = 1; y < h - 1; y++)
            for (int x = 1; x < w - 1; x++) {
                int r = 0, gg = 0, b = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++) {
                        int p = src[(y + dy) * w + x + dx];
                        r += (p >> 16) & 255; gg += (p >> 8) & 255; b += p & 255;
                    }
                px[y * w + x] = ((r / 9) << 16) | ((gg / 9) << 8) | (b / 9);
            }
    }
}
