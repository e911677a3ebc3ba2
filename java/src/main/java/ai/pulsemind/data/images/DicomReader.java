package ai.pulsemind.data.images;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A small DICOM Part 10 reader for single images: walks the data set (explicit or implicit VR, little or big
 * endian), skips sequences, and keeps the image pixel module. Pixel data is either native or JPEG-encapsulated
 * ({@link DicomTransferSyntax}); any other transfer syntax is an {@link ImageError} naming it.
 */
public final class DicomReader {
    private static final int PIXEL_DATA = 0x7FE00010;
    private static final int ITEM = 0xFFFEE000, ITEM_END = 0xFFFEE00D, SEQ_END = 0xFFFEE0DD;
    private static final long UNDEFINED = 0xFFFFFFFFL;
    private static final Set<String> LONG_VRS = Set.of("OB", "OW", "OF", "OD", "OL", "OV", "SQ", "UT", "UN", "UC", "UR", "SV", "UV");

    private final String file;
    private final byte[] b;
    private int pos;
    private boolean bigEndian;
    private boolean explicitVr;
    private final DicomImage.Builder img = new DicomImage.Builder();

    private DicomReader(String file, byte[] bytes) {
        this.file = file;
        this.b = bytes;
    }

    /** True when the bytes carry the Part 10 preamble and "DICM" magic. */
    public static boolean hasMagic(byte[] head) {
        return head.length >= 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
    }

    public static DicomImage read(Path path) throws IOException {
        return read(path.toString(), Files.readAllBytes(path));
    }

    public static DicomImage read(String file, byte[] bytes) throws ImageError {
        DicomReader r = new DicomReader(file, bytes);
        try {
            return r.parse();
        } catch (IndexOutOfBoundsException e) {
            throw new ImageError(file + ": truncated DICOM file (ends inside an element at byte " + r.pos + ")");
        }
    }

    private DicomImage parse() throws ImageError {
        String tsUid;
        if (hasMagic(b)) {
            pos = 132;
            tsUid = readMeta();
            if (tsUid == null) throw new ImageError(file + ": DICOM file meta has no TransferSyntaxUID (0002,0010)");
        } else {
            // No preamble: a bare data set, most often implicit VR little endian; explicit VR shows as two letters.
            pos = 0;
            tsUid = Character.isUpperCase(b[4]) && Character.isUpperCase(b[5]) ? "1.2.840.10008.1.2.1" : "1.2.840.10008.1.2";
        }
        DicomTransferSyntax ts = DicomTransferSyntax.of(tsUid, file);
        bigEndian = ts.bigEndian;
        explicitVr = ts.explicitVr;
        img.transferSyntax = ts;
        img.file = file;
        while (pos < b.length) {
            if (element(0)) break;
        }
        return img.build();
    }

    /** Group 0002 is always explicit VR little endian. */
    private String readMeta() {
        bigEndian = false;
        explicitVr = true;
        String ts = null;
        while (pos + 8 <= b.length && u16(pos) == 0x0002) {
            int tag = tag();
            String vr = new String(b, pos, 2, StandardCharsets.US_ASCII);
            pos += 2;
            long len;
            if (LONG_VRS.contains(vr)) { len = u32(pos + 2); pos += 6; }
            else { len = u16(pos); pos += 2; }
            if (tag == 0x00020010) ts = str(pos, (int) len);
            pos += (int) len;
        }
        return ts;
    }

    /** Reads one element at {@code depth}; returns true once pixel data was read at the top level. */
    private boolean element(int depth) throws ImageError {
        int tag = tag();
        if (tag == ITEM_END || tag == SEQ_END) { pos += 4; return false; }
        String vr = null;
        long len;
        if (explicitVr && (tag >>> 16) != 0xFFFE) {
            vr = new String(b, pos, 2, StandardCharsets.US_ASCII);
            pos += 2;
            if (LONG_VRS.contains(vr)) { pos += 2; len = u32(pos); pos += 4; }
            else { len = u16(pos); pos += 2; }
        } else {
            len = u32(pos);
            pos += 4;
        }
        if (tag == PIXEL_DATA && depth == 0) {
            if (len == UNDEFINED) img.fragments = fragments();
            else { img.nativePixels = new byte[(int) len]; System.arraycopy(b, pos, img.nativePixels, 0, (int) len); pos += (int) len; }
            img.pixelsBigEndian = bigEndian;
            return true;
        }
        if (len == UNDEFINED) { sequence(depth); return false; }
        if (pos + len > b.length) throw new ImageError(file + ": truncated DICOM file: element " + tagName(tag) + " of " + len + " bytes at byte " + pos);
        if (depth == 0) keep(tag, vr, (int) len);
        pos += (int) len;
        return false;
    }

    /** Skips a sequence of undefined length: items until the sequence delimiter. */
    private void sequence(int depth) throws ImageError {
        while (pos < b.length) {
            int tag = tag();
            long len = u32(pos);
            pos += 4;
            if (tag == SEQ_END) return;
            if (tag != ITEM) throw new ImageError(file + ": malformed DICOM sequence: expected an item, found " + tagName(tag) + " at byte " + (pos - 8));
            if (len != UNDEFINED) { pos += (int) len; continue; }
            while (pos < b.length) {
                if (u16(pos) == 0xFFFE && u16(pos + 2) == 0xE00D) { pos += 8; break; }
                element(depth + 1);
            }
        }
    }

    private List<byte[]> fragments() throws ImageError {
        List<byte[]> out = new ArrayList<>();
        boolean first = true;
        while (pos < b.length) {
            int tag = tag();
            long len = u32(pos);
            pos += 4;
            if (tag == SEQ_END) break;
            if (tag != ITEM) throw new ImageError(file + ": malformed encapsulated pixel data at byte " + (pos - 8));
            byte[] f = new byte[(int) len];
            System.arraycopy(b, pos, f, 0, (int) len);
            pos += (int) len;
            if (first) first = false; // the basic offset table
            else out.add(f);
        }
        return out;
    }

    private void keep(int tag, String vr, int len) {
        switch (tag) {
            case 0x00280002 -> img.samples = u16(pos);
            case 0x00280004 -> img.photometric = str(pos, len);
            case 0x00280006 -> img.planar = u16(pos);
            case 0x00280008 -> img.frames = (int) num(str(pos, len), 1);
            case 0x00280010 -> img.rows = u16(pos);
            case 0x00280011 -> img.cols = u16(pos);
            case 0x00280100 -> img.bitsAllocated = u16(pos);
            case 0x00280101 -> img.bitsStored = u16(pos);
            case 0x00280103 -> img.pixelRepresentation = u16(pos);
            case 0x00281050 -> img.windowCenter = num(str(pos, len), Double.NaN);
            case 0x00281051 -> img.windowWidth = num(str(pos, len), Double.NaN);
            case 0x00281052 -> img.intercept = num(str(pos, len), 0);
            case 0x00281053 -> img.slope = num(str(pos, len), 1);
            case 0x00080060 -> img.modality = str(pos, len);
            default -> { }
        }
    }

    private static double num(String s, double dflt) {
        if (s == null || s.isBlank()) return dflt;
        String first = s.split("\\\\")[0].trim();
        try { return Double.parseDouble(first); } catch (NumberFormatException e) { return dflt; }
    }

    private int tag() {
        int g = u16(pos), e = u16(pos + 2);
        pos += 4;
        return (g << 16) | e;
    }

    private int u16(int p) {
        int x = b[p] & 0xFF, y = b[p + 1] & 0xFF;
        return bigEndian ? (x << 8) | y : (y << 8) | x;
    }

    private long u32(int p) {
        long x = ((long) u16(p)), y = ((long) u16(p + 2));
        return bigEndian ? (x << 16) | y : (y << 16) | x;
    }

    private String str(int p, int len) {
        return new String(b, p, len, StandardCharsets.ISO_8859_1).replace("\0", "").trim();
    }

    static String tagName(int tag) { return String.format("(%04X,%04X)", tag >>> 16, tag & 0xFFFF); }

    /** Concatenated fragments of one frame (single-frame images: all fragments). */
    static byte[] join(List<byte[]> fragments) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] f : fragments) o.writeBytes(f);
        return o.toByteArray();
    }
}
