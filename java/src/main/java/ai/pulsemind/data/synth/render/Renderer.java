package ai.pulsemind.data.synth.render;

import ai.pulsemind.data.Modality;

import java.awt.image.BufferedImage;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Draws one synthetic image of a modality from a condition's visual signature. The signature's parameters are the
 * features that separate a condition from its look-alikes (an anechoic vs a shadowing focus, a regular vs an
 * irregular border, ST elevation in some leads vs all); everything else (position, size within a range, texture,
 * noise) varies with the random source. Same signature and random state, same pixels.
 */
public interface Renderer {
    BufferedImage render(Sig sig, SplittableRandom rnd);

    /** Parameters a signature may use; the knowledge-base loader rejects any other key (catches typos). */
    java.util.Set<String> keys();

    Map<String, Renderer> BY_MODALITY = Map.of(
            Modality.ULTRASOUND, new UltrasoundRenderer(),
            Modality.CT, new CrossSectionRenderer(false),
            Modality.MRI, new CrossSectionRenderer(true),
            Modality.XRAY, new XrayRenderer(),
            Modality.DERMATOLOGY, new SkinRenderer(),
            Modality.PATHOLOGY, new PathologyRenderer(),
            Modality.ENDOSCOPY, new EndoscopyRenderer(),
            Modality.FUNDUS, new FundusRenderer(),
            Modality.ECG, new EcgRenderer(),
            Modality.LAB_REPORT, new LabReportRenderer());

    static Renderer of(String modality) {
        Renderer r = BY_MODALITY.get(modality);
        if (r == null) throw new IllegalArgumentException("no synthetic renderer for modality '" + modality + "'; have " + BY_MODALITY.keySet());
        return r;
    }
}
