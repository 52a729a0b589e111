package dev.denoise.diffusion;

import java.util.Map;
import java.util.Objects;

/**
 * Trained weights as they travel: the architecture they belong to, its hyper-parameters, the
 * parameter bytes ({@link WeightsCodec} format) and the SHA-256 of those bytes in lower-case hex.
 */
public record WeightsPackage(String architecture, Map<String, String> hyperParameters,
                             byte[] weights, String sha256) {

    public WeightsPackage {
        Objects.requireNonNull(architecture, "architecture");
        hyperParameters = SortedMaps.of(hyperParameters);
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(sha256, "sha256");
    }

    /** Packages bytes for an architecture, computing their hash. */
    public static WeightsPackage of(DenoiserArchitecture architecture, byte[] weights) {
        return new WeightsPackage(architecture.name(), architecture.hyperParameters(), weights,
                WeightsCodec.sha256Hex(weights));
    }

    @Override
    public String toString() {
        return "WeightsPackage[" + architecture + " " + hyperParameters + ", " + weights.length
                + " bytes, sha256=" + sha256 + "]";
    }
}
