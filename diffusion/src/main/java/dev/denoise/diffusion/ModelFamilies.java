package dev.denoise.diffusion;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every model family the project serves and trains, resolved by the name stored with a set of
 * weights or given on a command line. A new family is a network class that declares its {@link
 * ModelFamily} and one line here; training needs its recipe in the trainer's {@code Recipes}, and
 * {@code denoise evaluate} its targets in the bench's {@code EvaluationTargets} (the bench's
 * {@code ModelFamiliesTest} names a family that lacks either). Models trained elsewhere come as
 * {@link TorchScriptArchitecture}, each version with its own contract.
 */
public final class ModelFamilies {

    /** The families, in the order error messages list them. */
    public static final List<ModelFamily> ALL = List.of(
            ArticleUNet.FAMILY,
            CondUNet.FAMILY,
            DistilledUNet.FAMILY,
            MaskedUNet.FAMILY);

    private ModelFamilies() {
    }

    /** The family called {@code name}, or an {@link IllegalArgumentException} listing the known ones. */
    public static ModelFamily named(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException(unknown(name)));
    }

    public static Optional<ModelFamily> find(String name) {
        return ALL.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /**
     * The network of the family called {@code name} with the given published hyper-parameters, or
     * a {@link WeightsMismatchException} naming what is unknown or unsupported.
     */
    public static DenoiserArchitecture architecture(String name, Map<String, String> hyperParameters) {
        if (TorchScriptArchitecture.NAME.equals(name)) {
            return TorchScriptArchitecture.of(hyperParameters);
        }
        return find(name).orElseThrow(() -> new WeightsMismatchException(unknown(name)
                + " and " + TorchScriptArchitecture.NAME)).architecture(hyperParameters);
    }

    /** Every family's samplers by the name a request or a command gives them. */
    public static Map<String, Sampler> samplers() {
        Map<String, Sampler> samplers = new TreeMap<>();
        for (ModelFamily family : ALL) {
            for (Sampler sampler : family.samplers()) {
                samplers.putIfAbsent(sampler.name(), sampler);
            }
        }
        return Map.copyOf(samplers);
    }

    private static String unknown(String name) {
        return "Unknown architecture '" + name + "'; known: " + ALL.stream().map(ModelFamily::name).toList();
    }
}
