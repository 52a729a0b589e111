package dev.denoise.trainer;

import dev.denoise.schemas.ModelVersion;

/**
 * Refuses to publish weights that a version of the same model already holds: a second copy would
 * only look like a new model. {@code models promote} makes an existing version the latest again.
 */
public final class WeightsAlreadyPublishedException extends IllegalStateException {
    private final ModelVersion existing;

    WeightsAlreadyPublishedException(ModelVersion existing) {
        super("model '" + existing.getModel() + "' version " + existing.getVersion() + " already has these weights (sha256 "
                + existing.getWeightsSha256().substring(0, Math.min(12, existing.getWeightsSha256().length()))
                + "…); nothing published");
        this.existing = existing;
    }

    /** The version that holds the weights. */
    public ModelVersion existing() {
        return existing;
    }
}
