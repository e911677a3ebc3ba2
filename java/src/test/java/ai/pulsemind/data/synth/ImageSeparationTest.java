package ai.pulsemind.data.synth;

import ai.pulsemind.data.Modality;
import ai.pulsemind.data.synth.render.Renderer;
import ai.pulsemind.data.synth.render.Sig;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The images must carry the diagnosis: for every condition and each look-alike drawn in the same modality, a
 * plain nearest-centroid classifier on simple pixel statistics (intensity and colour histograms, edge strength,
 * a coarse layout grid with oriented edge energy, colour relative to the background, and for ECGs the trace's vertical profile per lead) tells renders of the two apart under
 * leave-one-out. If a renderer ignored a signature parameter, its pairs would sit near 50%.
 */
class ImageSeparationTest {
    static final int PER_CLASS = 8;
    static final long SEED_OFFSET = 0;

    @Test
    void lookAlikesAreSeparableFromPixels() {
        KnowledgeBase kb = KnowledgeBase.bundled();
        // Render every condition once, in parallel; pairs then share the features.
        kb.conditions().parallelStream().map(c -> java.util.Map.entry(c.id(), renders(c, c.id().hashCode() + SEED_OFFSET)))
                .toList().forEach(e -> cache.put(e.getKey(), e.getValue()));
        List<String> weak = new ArrayList<>();
        int pairs = 0;
        double sum = 0;
        for (Condition c : kb.conditions())
            for (String d : c.differentials()) {
                Condition o = kb.condition(d);
                if (!o.modality().equals(c.modality()) || c.id().compareTo(o.id()) > 0) continue; // each pair once
                double acc = looAccuracy(c, o);
                pairs++;
                sum += acc;
                if (acc < 0.85) weak.add(c.id() + " vs " + o.id() + " (" + c.modality() + "): " + acc);
            }
        double mean = sum / pairs;
        System.out.printf("image separation: %d same-modality look-alike pairs, mean leave-one-out accuracy %.3f%n", pairs, mean);
        assertTrue(pairs >= 30, "too few same-modality look-alike pairs: " + pairs);
        assertTrue(mean >= 0.95, "mean accuracy " + mean + "; weak pairs: " + weak);
        assertTrue(weak.isEmpty(), "pairs the pixels do not separate: " + weak);
    }

    private final java.util.Map<String, List<double[]>> cache = new java.util.HashMap<>();

    /** Features of a condition's renders, made once per condition (seeded by its id) and shared by its pairs. */
    List<double[]> renders(Condition c) {
        return cache.computeIfAbsent(c.id(), k -> renders(c, k.hashCode() + SEED_OFFSET));
    }

    double looAccuracy(Condition a, Condition b) {
        List<double[]> fa = renders(a), fb = renders(b);
        int n = fa.get(0).length, ok = 0;
        List<double[]> all = new ArrayList<>(fa);
        all.addAll(fb);
        double[] mu = new double[n], sd = new double[n];
        for (double[] f : all) for (int j = 0; j < n; j++) mu[j] += f[j] / all.size();
        for (double[] f : all) for (int j = 0; j < n; j++) sd[j] += (f[j] - mu[j]) * (f[j] - mu[j]) / all.size();
        for (int j = 0; j < n; j++) sd[j] = Math.sqrt(sd[j]) + 1e-6;
        for (int i = 0; i < all.size(); i++) {
            boolean isA = i < fa.size();
            double da = dist(all.get(i), centroid(fa, isA ? i : -1), mu, sd), db = dist(all.get(i), centroid(fb, isA ? -1 : i - fa.size()), mu, sd);
            if ((da < db) == isA) ok++;
        }
        return ok / (double) all.size();
    }

    static List<double[]> renders(Condition c, long seed) {
        Renderer r = Renderer.of(c.modality());
        List<double[]> out = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < PER_CLASS; i++) out.add(features(r.render(new Sig(c.signature()), rnd.split()), c.modality()));
        return out;
    }

    static double[] centroid(List<double[]> fs, int leaveOut) {
        double[] m = new double[fs.get(0).length];
        int k = 0;
        for (int i = 0; i < fs.size(); i++) {
            if (i == leaveOut) continue;
            for (int j = 0; j < m.length; j++) m[j] += fs.get(i)[j];
            k++;
        }
        for (int j = 0; j < m.length; j++) m[j] /= k;
        return m;
    }

    static double dist(double[] x, double[] c, double[] mu, double[] sd) {
        double s = 0;
        for (int j = 0; j < x.length; j++) { double d = (x[j] - c[j]) / sd[j]; s += d * d; }
        return s;
    }

    static double[] features(BufferedImage im, String modality) {
        int w = im.getWidth(), h = im.getHeight();
        double[] f = new double[16 + 6 + 8 + 16 + 36 + 32 + 12];
        int[] px = im.getRGB(0, 0, w, h, null, 0, w);
        double n = w * h;
        double[] gray = new double[px.length];
        for (int i = 0; i < px.length; i++) {
            int r = (px[i] >> 16) & 255, g = (px[i] >> 8) & 255, b = px[i] & 255;
            gray[i] = (r + g + b) / 3.0;
            f[(int) gray[i] / 16] += 1 / n;
            f[16] += r / n; f[17] += g / n; f[18] += b / n;
            f[19] += r * r / n; f[20] += g * g / n; f[21] += b * b / n;
        }
        for (int y = 1; y < h; y++)
            for (int x = 1; x < w; x++) {
                double gm = Math.abs(gray[y * w + x] - gray[y * w + x - 1]) + Math.abs(gray[y * w + x] - gray[(y - 1) * w + x]);
                f[22 + Math.min(7, (int) (gm / 16))] += 1 / n;
                int cell = (y * 4 / h) * 4 + x * 4 / w;
                f[30 + cell] += gray[y * w + x] / (n / 16);
                // Oriented edge energy per cell: a horizontal break across a vertical bone shows in |d/dy|.
                f[82 + cell] += Math.abs(gray[y * w + x] - gray[(y - 1) * w + x]) / (n / 16);
                f[98 + cell] += Math.abs(gray[y * w + x] - gray[y * w + x - 1]) / (n / 16);
            }
        // Colour relative to the background (the image's median): skin tone and lighting vary, a lesion's
        // contrast with its surroundings does not.
        int[] med = new int[3];
        for (int c = 0; c < 3; c++) {
            int[] hist = new int[256];
            for (int p : px) hist[(p >> (16 - 8 * c)) & 255]++;
            for (int v = 0, acc = 0; v < 256; v++) { acc += hist[v]; if (acc >= px.length / 2) { med[c] = v; break; } }
        }
        for (int p : px) {
            int dr = ((p >> 16) & 255) - med[0], dg = ((p >> 8) & 255) - med[1], db = (p & 255) - med[2];
            double dist = Math.sqrt(dr * dr + dg * dg + db * db);
            f[114 + Math.min(7, (int) (dist / 24))] += 1 / n;
            if (dist > 40) { f[122] += 1 / n; f[123] += dr / n; f[124] += dg / n; f[125] += db / n; }
        }
        if (modality.equals(Modality.ECG)) { // trace profile: where the dark ink sits in each lead's band
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    if (gray[y * w + x] < 80) {
                        int lead = Math.min(2, Math.max(0, (y - 5) / 70)), bin = Math.min(11, Math.max(0, (y - (lead * 70 + 5)) * 12 / 70));
                        f[46 + lead * 12 + bin] += 1.0 / w;
                    }
        }
        return f;
    }
}
