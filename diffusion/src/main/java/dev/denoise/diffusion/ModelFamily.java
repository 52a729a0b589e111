package dev.denoise.diffusion;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One model family: the name stored with its weights, how to build its network (at the size the
 * project trains, or from the hyper-parameters published with a set of weights), the samplers that
 * sample it and what a request gets when it names no step count or guidance scale. Each network
 * class declares its family; {@link ModelFamilies#ALL} lists them.
 */
public final class ModelFamily {

    private final String name;
    private final Supplier<DenoiserArchitecture> standard;
    private final Function<Map<String, String>, DenoiserArchitecture> published;
    private final List<Sampler> samplers;
    private final int defaultSteps;
    private final float defaultGuidance;

    /**
     * @param standard        the network at the size the project trains
     * @param published       the network for a set of published hyper-parameters; it throws
     *                        {@link WeightsMismatchException} for ones it cannot read
     * @param samplers        the samplers that can sample it, its default first
     * @param defaultGuidance the guidance scale a request gets when it names none; 0 for a family
     *                        that takes no label
     */
    public ModelFamily(String name, Supplier<DenoiserArchitecture> standard,
                       Function<Map<String, String>, DenoiserArchitecture> published, List<Sampler> samplers,
                       int defaultSteps, float defaultGuidance) {
        this.name = name;
        this.standard = standard;
        this.published = published;
        this.samplers = List.copyOf(samplers);
        this.defaultSteps = defaultSteps;
        this.defaultGuidance = defaultGuidance;
    }

    /** Stable identifier stored with every set of weights, e.g. {@code article-unet}. */
    public String name() {
        return name;
    }

    /** The network at the size the project trains; for new models. */
    public DenoiserArchitecture architecture() {
        return standard.get();
    }

    /**
     * The network with the given published hyper-parameters, or a {@link WeightsMismatchException}
     * naming what is unsupported.
     */
    public DenoiserArchitecture architecture(Map<String, String> hyperParameters) {
        DenoiserArchitecture architecture = published.apply(hyperParameters);
        if (!architecture.hyperParameters().equals(hyperParameters)) {
            throw new WeightsMismatchException("Architecture " + name + " supports hyper-parameters "
                    + architecture.hyperParameters() + ", not " + hyperParameters);
        }
        return architecture;
    }

    /** The samplers that can sample it, its default first. */
    public List<Sampler> samplers() {
        return samplers;
    }

    /** The names of {@link #samplers()}, its default first. */
    public List<String> samplerNames() {
        return samplers.stream().map(Sampler::name).toList();
    }

    /** Its sampler called {@code name}, if it has one. */
    public Optional<Sampler> sampler(String name) {
        return samplers.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The sampler a request gets when it names none. */
    public Sampler defaultSampler() {
        return samplers.get(0);
    }

    /** The step count a request gets when it names none. */
    public int defaultSteps() {
        return defaultSteps;
    }

    /** The guidance scale a request gets when it names none (0 for a family that takes no label). */
    public float defaultGuidance() {
        return defaultGuidance;
    }

    @Override
    public String toString() {
        return name;
    }
}
