package dev.denoise.sampler;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A worse model is never made the latest by being published: a new version whose published
 * Fréchet distance (the trainer's {@code classifier.frechet-distance}, lower is better) exceeds
 * the serving version's by more than a relative tolerance is held back. Versions without the
 * metric pass (there is nothing to judge them by); an operator's {@code models promote} is not
 * judged at all.
 */
public final class QualityGate {
    public static final String METRIC = "classifier.frechet-distance";

    private final double tolerance;

    QualityGate(double tolerance) {
        this.tolerance = tolerance;
    }

    /** Why {@code candidate} must not replace {@code serving}, if it must not. */
    Optional<String> holdBack(String model, int candidateVersion, Map<String, Double> candidate,
                              int servingVersion, Map<String, Double> serving) {
        Double candidateDistance = candidate.get(METRIC);
        Double servingDistance = serving.get(METRIC);
        if (candidateDistance == null || servingDistance == null
                || candidateDistance <= servingDistance * (1 + tolerance)) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "%s v%d held back: its Frechet distance %.2f is worse than "
                        + "serving v%d's %.2f by more than %.0f %%; it serves pinned requests until promoted",
                model, candidateVersion, candidateDistance, servingVersion, servingDistance, 100 * tolerance));
    }
}
