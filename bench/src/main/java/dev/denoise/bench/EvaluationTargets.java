package dev.denoise.bench;

import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.DistilledUNet;
import dev.denoise.diffusion.MaskedUNet;
import dev.denoise.trainer.SampleEvaluation;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What samples of a model family should read under {@code denoise evaluate}: label accuracy and
 * confidence at least, Fréchet distance at most a multiple of the real floor. A masked diffusion
 * family also has its held-out negative ELBO ({@link dev.denoise.trainer.MaskedElbo}) estimated
 * and shown beside the nats an image it should stay under; {@code negativeElbo} is NaN for the
 * others.
 */
public record EvaluationTargets(double labelAccuracy, double confidence, double frechetRatio, double negativeElbo) {

    /** The continuous models' targets. */
    private static final EvaluationTargets CONTINUOUS = new EvaluationTargets(0.97, 0.95, 3, Double.NaN);
    /**
     * A distilled student: it must stay close to the real digits (its teacher scores below the
     * floor), not merely within the continuous families' 3x, to be worth its fewer passes.
     */
    private static final EvaluationTargets DISTILLED = new EvaluationTargets(0.97, 0.95, 1.5, Double.NaN);
    /** Masked diffusion's binary digits: no Fréchet target, the classifier learnt from grey digits. */
    private static final EvaluationTargets MASKED = new EvaluationTargets(0.95, 0.9, Double.POSITIVE_INFINITY, 100);

    private static final Map<String, EvaluationTargets> BY_FAMILY = Map.of(
            ArticleUNet.NAME, CONTINUOUS,
            CondUNet.NAME, CONTINUOUS,
            DistilledUNet.NAME, DISTILLED,
            MaskedUNet.NAME, MASKED);

    /** The families that have targets. */
    public static Set<String> families() {
        return new TreeSet<>(BY_FAMILY.keySet());
    }

    /** The targets of the family called {@code family}. */
    public static EvaluationTargets of(String family) {
        EvaluationTargets targets = BY_FAMILY.get(family);
        if (targets == null) {
            throw new IllegalArgumentException("No evaluation targets for model family '" + family
                    + "'; targets exist for " + families());
        }
        return targets;
    }

    /** Whether the family's held-out negative ELBO is estimated, against {@link #negativeElbo}. */
    boolean estimatesElbo() {
        return !Double.isNaN(negativeElbo);
    }

    boolean metBy(SampleEvaluation.Verdict verdict) {
        return !(verdict.labelAccuracy() < labelAccuracy) // NaN (unlabelled) passes this one
                && verdict.confidence() >= confidence
                && verdict.frechetDistance() <= frechetRatio * verdict.realFloor();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "label accuracy >= %.2f, confidence >= %.2f%s", labelAccuracy, confidence,
                Double.isInfinite(frechetRatio) ? ""
                        : String.format(Locale.ROOT, ", Frechet distance <= %.1fx the floor", frechetRatio));
    }
}
