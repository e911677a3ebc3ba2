package ai.pulsemind.data.synth.render;

import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A three-lead rhythm strip (II, V2, V5) on ECG paper, 25 mm/s. The signature: rate, rhythm (regular or
 * irregularly irregular), P waves (normal, absent with a fibrillating baseline, flutter saw-tooth), ST change
 * (regional elevation with reciprocal depression, diffuse elevation with PR depression, depression),
 * QRS width and T inversion.
 */
final class EcgRenderer implements Renderer {
    static final int W = 384, H = 224;
    static final String[] LEADS = {"II", "V2", "V5"};

    @Override public Set<String> keys() { return Set.of("rate", "rhythm", "p", "st", "qrs", "t_inversion"); }

    @Override
    public BufferedImage render(Sig s, SplittableRandom r) {
        BufferedImage im = Draw.image(W, H);
        Graphics2D g = Draw.g(im);
        g.setColor(Draw.rgb(255, 245, 245));
        g.fillRect(0, 0, W, H);
        for (int x = 0; x < W; x += 5) { // 1 mm and 5 mm grid at 5 px/mm
            g.setColor(x % 25 == 0 ? Draw.rgb(240, 170, 170) : Draw.rgb(250, 215, 215));
            g.drawLine(x, 0, x, H);
        }
        for (int y = 0; y < H; y += 5) {
            g.setColor(y % 25 == 0 ? Draw.rgb(240, 170, 170) : Draw.rgb(250, 215, 215));
            g.drawLine(0, y, W, y);
        }
        double rate = s.num("rate", 75) * Draw.between(r, 0.93, 1.07);
        List<Double> beats = beatTimes(s, rate, r);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 11));
        for (int lead = 0; lead < 3; lead++) {
            double base = 40 + lead * 70;
            g.setColor(Draw.gray(20));
            g.drawString(LEADS[lead], 4, (int) base - 20);
            Path2D p = new Path2D.Double();
            for (int x = 0; x < W; x++) {
                double t = x / 125.0; // 125 px per second
                double y = base - 25 * voltage(s, lead, t, beats, rate, r);
                if (x == 0) p.moveTo(x, y); else p.lineTo(x, y);
            }
            Draw.stroke(g, 1.3);
            g.draw(p);
        }
        g.dispose();
        return im;
    }

    private static List<Double> beatTimes(Sig s, double rate, SplittableRandom r) {
        List<Double> out = new ArrayList<>();
        double rr = 60 / rate, t = Draw.between(r, 0.1, 0.5);
        boolean irregular = s.str("rhythm", "regular").equals("irregular");
        while (t < W / 125.0 + 1) {
            out.add(t);
            t += irregular ? rr * Draw.between(r, 0.6, 1.45) : rr;
        }
        return out;
    }

    /** Millivolts at time t in a lead: a sum of P, QRS, ST and T waves for the nearest beat, plus baseline. */
    private static double voltage(Sig s, int lead, double t, List<Double> beats, double rate, SplittableRandom r) {
        String p = s.str("p", "normal"), st = s.str("st", "none");
        double v = 0;
        if (p.equals("flutter")) v += 0.18 * (2 * ((t * 5) % 1.0) - 1); // 300/min saw-tooth
        if (p.equals("absent")) v += 0.05 * Math.sin(2 * Math.PI * 7 * t) + 0.03 * Math.sin(2 * Math.PI * 11.3 * t);
        double qrsW = s.str("qrs", "narrow").equals("wide") ? 0.03 : 0.012;
        double stShift = switch (st) {
            case "elevation_regional" -> lead == 1 ? 0.35 : lead == 0 ? -0.15 : 0.1;
            case "elevation_diffuse" -> 0.18;
            case "depression" -> lead == 1 ? -0.05 : -0.2;
            default -> 0;
        };
        double pr = st.equals("elevation_diffuse") ? -0.08 : 0;
        double tAmp = s.flag("t_inversion") && lead > 0 ? -0.25 : 0.3;
        double amp = lead == 1 ? 1.2 : 1.0;
        for (double b : beats) {
            double d = t - b;
            if (d < -0.3 || d > 0.6) continue;
            if (p.equals("normal")) v += 0.15 * g(d + 0.16, 0.025);
            if (d > -0.1 && d < -0.03) v += pr;
            v += amp * (-0.15 * g(d + 0.025, qrsW * 0.6) + 1.0 * g(d, qrsW) - 0.25 * g(d - 0.028, qrsW * 0.7));
            if (d > 0.04 && d < 0.3) v += stShift * Math.min(1, (d - 0.04) / 0.02) * (d < 0.25 ? 1 : (0.3 - d) / 0.05);
            v += tAmp * g(d - 0.28, 0.045);
        }
        return v;
    }

    private static double g(double x, double w) { return Math.exp(-0.5 * (x / w) * (x / w)); }
}
