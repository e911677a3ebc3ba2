package ai.pulsemind.evaluate.report;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Renders a {@link Chart} to PNG bytes, headless, at {@link #SCALE}× its CSS size. Deterministic: the same chart on
 * the same fonts gives the same bytes (an opaque RGB image, fixed rendering hints, and the JDK's PNG writer, which
 * writes no time stamp).
 */
final class Png {
    static { Headless.ensure(); }

    /** Device pixels per CSS pixel: sharp on high-density screens and in print. */
    static final int SCALE = 2;

    private Png() {}

    static byte[] render(Chart c) {
        BufferedImage img = new BufferedImage(c.width() * SCALE, c.height() * SCALE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.scale(SCALE, SCALE);
            c.chart().draw(g, new Rectangle2D.Double(0, 0, c.width(), c.height()));
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try {
            if (!ImageIO.write(img, "png", out)) throw new IllegalStateException("no PNG writer in this JDK");
        } catch (IOException e) {
            throw new UncheckedIOException("writing chart " + c.name() + " as PNG", e);
        }
        return out.toByteArray();
    }
}
