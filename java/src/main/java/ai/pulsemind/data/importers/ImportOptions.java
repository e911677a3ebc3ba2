package ai.pulsemind.data.importers;

import java.nio.file.Path;
import java.util.Objects;

/**
 * @param input        the source file (or a folder of files, for formats that come split)
 * @param images       where the source's images are; null: the input's folder
 * @param imagePattern MedDiagnose only: where attachment {@code n} of case {@code id} is, relative to {@code images};
 *                     {@code {id}} and {@code {n}} are replaced, a trailing {@code .*} matches any image extension
 * @param modality     modality of every image, overriding guesses from the source; null: guess
 * @param department   department for records whose source names none; null: none
 * @param skipBad      skip records that cannot be imported (counted and listed in the card) instead of stopping
 * @param zeroBasedAnswers MCQ only: MedMCQA's {@code cop} counts from 0 (Hugging Face copy) instead of 1 (original)
 * @param decodeImages decode every image while importing, so a corrupt file is caught here with its record's line
 */
public record ImportOptions(Path input, Path images, String imagePattern, String modality, String department,
                            boolean skipBad, boolean zeroBasedAnswers, boolean decodeImages) {
    public static final String DEFAULT_IMAGE_PATTERN = "{id}/{n}.*";

    public ImportOptions {
        Objects.requireNonNull(input, "input");
        if (imagePattern == null) imagePattern = DEFAULT_IMAGE_PATTERN;
        if (!imagePattern.contains("{n}"))
            throw new IllegalArgumentException("--image-pattern must contain {n} (the attachment number), got '" + imagePattern + "'");
    }

    public static ImportOptions of(Path input) { return new ImportOptions(input, null, null, null, null, false, false, true); }

    /** The folder image paths in the source are relative to. */
    public Path imageRoot() {
        if (images != null) return images;
        Path abs = input.toAbsolutePath().normalize();
        return java.nio.file.Files.isDirectory(abs) ? abs : abs.getParent();
    }

    public ImportOptions withSkipBad(boolean skip) {
        return new ImportOptions(input, images, imagePattern, modality, department, skip, zeroBasedAnswers, decodeImages);
    }
}
