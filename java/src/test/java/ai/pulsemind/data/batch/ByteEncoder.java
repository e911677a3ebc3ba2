package ai.pulsemind.data.batch;

import ai.pulsemind.data.EncodedImage;
import ai.pulsemind.data.EncodedSample;
import ai.pulsemind.data.MediRecord;
import ai.pulsemind.data.Role;
import ai.pulsemind.data.SampleEncoder;
import ai.pulsemind.data.Turn;
import ai.pulsemind.data.images.DecodedImage;
import ai.pulsemind.data.images.ImageDecoder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A test encoder with a trivially invertible template: each turn is a role token, its UTF-8 bytes (+ 16) and an
 * end token; each image is one placeholder per 28×28 patch, and its "pixels" are the patch's mean RGB. Doctor
 * text and the doctor's end token carry loss. Tests decode tokens back to check the mask.
 */
final class ByteEncoder implements SampleEncoder {
    static final int PATIENT = 1, DOCTOR = 2, END = 3, IMAGE = 4, OFFSET = 16, PATCH = 28;
    final long maxPixels;
    final List<Long> seenPixels = java.util.Collections.synchronizedList(new ArrayList<>());

    ByteEncoder(long maxPixels) { this.maxPixels = maxPixels; }

    @Override public ImageDecoder.Options imageOptions() { return new ImageDecoder.Options(null, maxPixels); }

    @Override
    public EncodedSample encode(MediRecord r, List<DecodedImage> images) {
        List<Integer> tok = new ArrayList<>();
        List<Byte> mask = new ArrayList<>();
        List<EncodedImage> out = new ArrayList<>();
        for (Turn t : r.turns()) {
            boolean doc = t.role() == Role.DOCTOR;
            add(tok, mask, doc ? DOCTOR : PATIENT, false);
            for (String id : t.images()) {
                DecodedImage im = images.get(r.images().indexOf(r.image(id)));
                seenPixels.add(im.pixels());
                EncodedImage e = patches(im);
                out.add(e);
                for (int p = 0; p < e.patches(); p++) add(tok, mask, IMAGE, false);
            }
            for (byte b : t.text().getBytes(StandardCharsets.UTF_8)) add(tok, mask, OFFSET + (b & 0xFF), doc);
            add(tok, mask, END, doc);
        }
        int[] t = tok.stream().mapToInt(Integer::intValue).toArray();
        byte[] m = new byte[mask.size()];
        for (int i = 0; i < m.length; i++) m[i] = mask.get(i);
        return new EncodedSample(r.id(), t, m, out, null);
    }

    private static void add(List<Integer> tok, List<Byte> mask, int t, boolean trained) {
        tok.add(t);
        mask.add((byte) (trained ? 1 : 0));
    }

    static EncodedImage patches(DecodedImage im) {
        int gh = Math.max(1, im.height() / PATCH), gw = Math.max(1, im.width() / PATCH);
        float[] px = new float[gh * gw * 3];
        for (int y = 0; y < gh * PATCH && y < im.height(); y++)
            for (int x = 0; x < gw * PATCH && x < im.width(); x++)
                for (int c = 0; c < 3; c++) px[((y / PATCH) * gw + x / PATCH) * 3 + c] += im.at(x, y, c) / (float) (PATCH * PATCH);
        return new EncodedImage(px, gh * gw, 3, 1, gh, gw);
    }

    /** The doctor text a sample's mask selects, and the patient text it leaves out, decoded from tokens. */
    static String[] split(int[] tokens, byte[] mask, int from, int to) {
        StringBuilder trained = new StringBuilder(), other = new StringBuilder();
        java.io.ByteArrayOutputStream a = new java.io.ByteArrayOutputStream(), b = new java.io.ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            int t = tokens[i];
            if (t >= OFFSET) (mask[i] == 1 ? a : b).write(t - OFFSET);
            else if (t == END) {
                if (mask[i] == 1) { trained.append(a.toString(StandardCharsets.UTF_8)).append('\n'); a.reset(); }
                else { other.append(b.toString(StandardCharsets.UTF_8)).append('\n'); b.reset(); }
            }
        }
        return new String[] {trained.toString(), other.toString()};
    }
}
