package ai.pulsemind.data.images;

import java.util.Map;

/** The transfer syntaxes this reader decodes, and the names of common ones it does not (for clear errors). */
enum DicomTransferSyntax {
    IMPLICIT_LE("1.2.840.10008.1.2", false, false, false),
    EXPLICIT_LE("1.2.840.10008.1.2.1", true, false, false),
    EXPLICIT_BE("1.2.840.10008.1.2.2", true, true, false),
    JPEG_BASELINE("1.2.840.10008.1.2.4.50", true, false, true);

    final String uid;
    final boolean explicitVr;
    final boolean bigEndian;
    final boolean jpeg;

    DicomTransferSyntax(String uid, boolean explicitVr, boolean bigEndian, boolean jpeg) {
        this.uid = uid;
        this.explicitVr = explicitVr;
        this.bigEndian = bigEndian;
        this.jpeg = jpeg;
    }

    static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("1.2.840.10008.1.2", "Implicit VR Little Endian"),
            Map.entry("1.2.840.10008.1.2.1", "Explicit VR Little Endian"),
            Map.entry("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian"),
            Map.entry("1.2.840.10008.1.2.2", "Explicit VR Big Endian"),
            Map.entry("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)"),
            Map.entry("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 and 4)"),
            Map.entry("1.2.840.10008.1.2.4.57", "JPEG Lossless (Process 14)"),
            Map.entry("1.2.840.10008.1.2.4.70", "JPEG Lossless, First-Order Prediction (Process 14 [SV1])"),
            Map.entry("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless"),
            Map.entry("1.2.840.10008.1.2.4.81", "JPEG-LS Near-Lossless"),
            Map.entry("1.2.840.10008.1.2.4.90", "JPEG 2000 (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.91", "JPEG 2000"),
            Map.entry("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000"),
            Map.entry("1.2.840.10008.1.2.5", "RLE Lossless"),
            Map.entry("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile"),
            Map.entry("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264"));

    static String describe(String uid) {
        String n = NAMES.get(uid);
        return n == null ? uid : uid + " (" + n + ")";
    }

    /** The syntax for a UID, or an error naming it and the ones that are supported. */
    static DicomTransferSyntax of(String uid, String file) throws ImageError {
        for (DicomTransferSyntax t : values()) if (t.uid.equals(uid)) return t;
        StringBuilder ok = new StringBuilder();
        for (DicomTransferSyntax t : values()) ok.append(ok.isEmpty() ? "" : ", ").append(NAMES.get(t.uid));
        throw new ImageError(file + ": unsupported DICOM transfer syntax " + describe(uid) + "; supported: " + ok
                + " (convert with e.g. `dcmdjpeg`/`gdcmconv --raw` first)");
    }
}
