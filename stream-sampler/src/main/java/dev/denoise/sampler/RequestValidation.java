package dev.denoise.sampler;

import dev.denoise.schemas.FailureReason;
import dev.denoise.schemas.SampleRequest;
import java.util.Optional;
import java.util.Set;

/** What makes a request servable before any model is involved: its seeds, steps and sampler. */
final class RequestValidation {
    private final int maxSeeds;
    private final int maxSteps;
    private final Set<String> samplers;

    /** Why a request is refused. */
    record Rejection(FailureReason reason, String message) {}

    RequestValidation(SamplerSettings settings, Set<String> samplers) {
        this.maxSeeds = settings.maxSeeds();
        this.maxSteps = settings.maxSteps();
        this.samplers = samplers;
    }

    Optional<Rejection> check(SampleRequest request) {
        int seeds = request.getSeeds().size();
        if (seeds < 1 || seeds > maxSeeds) {
            return Optional.of(new Rejection(FailureReason.INVALID_SEEDS,
                    "A request needs 1 to " + maxSeeds + " seeds, this one has " + seeds));
        }
        if (request.getSteps() < 1 || request.getSteps() > maxSteps) {
            return Optional.of(new Rejection(FailureReason.INVALID_STEPS,
                    "Steps must be 1 to " + maxSteps + ", this request asks for " + request.getSteps()));
        }
        if (!samplers.contains(request.getSampler())) {
            return Optional.of(new Rejection(FailureReason.UNKNOWN_SAMPLER,
                    "Unknown sampler '" + request.getSampler() + "'; known: " + samplers));
        }
        return Optional.empty();
    }
}
