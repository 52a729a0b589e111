package dev.denoise.diffusion;

import java.util.Map;

/** Resolves an architecture from the name stored with a set of weights. */
public final class Architectures {

    private Architectures() {
    }

    /**
     * The architecture called {@code name} with the given hyper-parameters, or a
     * {@link WeightsMismatchException} naming what is unknown or unsupported.
     */
    public static DenoiserArchitecture byName(String name, Map<String, String> hyperParameters) {
        DenoiserArchitecture architecture = switch (name) {
            case ArticleUNet.NAME -> new ArticleUNet();
            default -> throw new WeightsMismatchException("Unknown architecture '" + name
                    + "'; known: [" + ArticleUNet.NAME + "]");
        };
        if (!architecture.hyperParameters().equals(hyperParameters)) {
            throw new WeightsMismatchException("Architecture " + name + " supports hyper-parameters "
                    + architecture.hyperParameters() + ", not " + hyperParameters);
        }
        return architecture;
    }
}
