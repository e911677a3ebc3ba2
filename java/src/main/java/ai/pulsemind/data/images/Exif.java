package ai.pulsemind.data.images;

/**
 * The EXIF orientation of a JPEG (tag 0x0112 in IFD0 of the APP1 "Exif" segment), and applying it to pixels.
 * Phones store portrait photos sideways with this tag; ignoring it shows a lesion rotated by 90 degrees.
 */
public final class Exif {
    private Exif() {}

    /** Orientation 1..8 from the JPEG's header bytes; 1 (as stored) when there is none. */
    public static int orientation(byte[] b) {
        if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8) return 1;
        int p = 2;
        while (p + 4 <= b.length && (b[p] & 0xFF) == 0xFF) {
            int marker = b[p + 1] & 0xFF;
            if (marker == 0xDA || marker == 0xD9) break; // start of scan: no more headers
            int len = ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
            if (marker == 0xE1 && len >= 8 && p + 4 + 6 <= b.length
                    && b[p + 4] == 'E' && b[p + 5] == 'x' && b[p + 6] == 'i' && b[p + 7] == 'f') {
                int o = tiffOrientation(b, p + 10, Math.min(b.length, p + 2 + len));
                if (o >= 1 && o <= 8) return o;
            }
            p += 2 + len;
        }
        return 1;
    }

    private static int tiffOrientation(byte[] b, int t, int end) {
        if (t + 8 > end) return 1;
        boolean le = b[t] == 'I' && b[t + 1] == 'I';
        int ifd = t + (int) u32(b, t + 4, le);
        if (ifd + 2 > end || ifd < t) return 1;
        int n = u16(b, ifd, le);
        for (int i = 0; i < n; i++) {
            int e = ifd + 2 + 12 * i;
            if (e + 12 > end) break;
            if (u16(b, e, le) == 0x0112) return u16(b, e + 8, le);
        }
        return 1;
    }

    private static int u16(byte[] b, int p, boolean le) {
        int x = b[p] & 0xFF, y = b[p + 1] & 0xFF;
        return le ? (y << 8) | x : (x << 8) | y;
    }

    private static long u32(byte[] b, int p, boolean le) {
        long x = u16(b, p, le), y = u16(b, p + 2, le);
        return le ? (y << 16) | x : (x << 16) | y;
    }

    /** The image turned upright for an EXIF orientation 1..8. */
    public static DecodedImage apply(DecodedImage im, int orientation) {
        if (orientation <= 1 || orientation > 8) return im;
        int w = im.width(), h = im.height();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w, oh = swap ? w : h;
        byte[] out = new byte[im.rgb().length];
        byte[] src = im.rgb();
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx, sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; } // 8
                }
                System.arraycopy(src, (sy * w + sx) * 3, out, (y * ow + x) * 3, 3);
            }
        }
        return new DecodedImage(ow, oh, out);
    }
}
