package dev.denoise.diffusion;

import java.util.Map;

/** Resolves an architecture from the name stored with a set of weights. */
public final class Architectures {

    private Architectures() {
    }

    /** The architecture called {@code name} at the size the project trains it; for new models. */
    public static DenoiserArchitecture named(String name) {
        return switch (name) {
            case ArticleUNet.NAME -> new ArticleUNet();
            case CondUNet.NAME -> new CondUNet();
            case MaskedUNet.NAME -> new MaskedUNet();
            default -> throw new IllegalArgumentException(unknown(name));
        };
    }

    /**
     * The architecture called {@code name} with the given hyper-parameters, or a
     * {@link WeightsMismatchException} naming what is unknown or unsupported.
     */
    public static DenoiserArchitecture byName(String name, Map<String, String> hyperParameters) {
        DenoiserArchitecture architecture = switch (name) {
            case ArticleUNet.NAME -> new ArticleUNet();
            case CondUNet.NAME -> CondUNet.of(hyperParameters);
            case MaskedUNet.NAME -> MaskedUNet.of(hyperParameters);
            default -> throw new WeightsMismatchException(unknown(name));
        };
        if (!architecture.hyperParameters().equals(hyperParameters)) {
            throw new WeightsMismatchException("Architecture " + name + " supports hyper-parameters "
                    + architecture.hyperParameters() + ", not " + hyperParameters);
        }
        return architecture;
    }

    private static String unknown(String name) {
        return "Unknown architecture '" + name + "'; known: [" + ArticleUNet.NAME + ", " + CondUNet.NAME + ", "
                + MaskedUNet.NAME + "]";
    }
}
