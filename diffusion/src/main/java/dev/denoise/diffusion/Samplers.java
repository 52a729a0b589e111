package dev.denoise.diffusion;

import java.util.Map;
import java.util.TreeMap;

/** Every sampler by the name a request or a command gives it; each architecture says which of them it takes. */
public final class Samplers {

    private Samplers() {
    }

    public static Map<String, Sampler> all() {
        Map<String, Sampler> samplers = new TreeMap<>();
        samplers.put(ArticleSampler.NAME, new ArticleSampler());
        for (String name : NoiseScheduleSampler.NAMES) {
            samplers.put(name, new NoiseScheduleSampler(name));
        }
        for (String name : MaskedSampler.NAMES) {
            samplers.put(name, new MaskedSampler(name));
        }
        return Map.copyOf(samplers);
    }
}
