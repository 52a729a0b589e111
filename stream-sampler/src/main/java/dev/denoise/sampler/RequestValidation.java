package dev.denoise.sampler;

import dev.denoise.diffusion.DenoiserArchitecture;
import dev.denoise.diffusion.Sampler;
import dev.denoise.schemas.FailureReason;
import dev.denoise.schemas.SampleRequest;
import java.util.Optional;
import java.util.Set;

/**
 * What makes a request servable: first on its own (seeds, steps, a sampler that exists, a class index,
 * a finite guidance scale, a priority and deadline in range), then against the architecture of the model version that serves it
 * (a sampler it supports, a step count and guidance scale that sampler takes, a label only for a class-conditioned model and one of its classes).
 */
final class RequestValidation {
    static final int MAX_PRIORITY = 100;
    private final int maxSeeds;
    private final int maxSteps;
    private final Set<String> samplers;

    /** Why a request is refused. */
    record Rejection(FailureReason reason, String message) {}

    /** A request the serving model cannot sample, found when its batch starts. */
    static final class RejectedRequest extends RuntimeException {
        private final Rejection rejection;

        RejectedRequest(Rejection rejection) {
            super(rejection.message());
            this.rejection = rejection;
        }

        Rejection rejection() {
            return rejection;
        }
    }

    RequestValidation(ServiceSettings settings, Set<String> samplers) {
        this.maxSeeds = settings.maxSeeds();
        this.maxSteps = settings.maxSteps();
        this.samplers = samplers;
    }

    Optional<Rejection> check(SampleRequest request) {
        int seeds = request.getSeeds().size();
        if (seeds < 1 || seeds > maxSeeds) {
            return reject(FailureReason.INVALID_SEEDS, "A request needs 1 to " + maxSeeds + " seeds, this one has " + seeds);
        }
        Integer steps = request.getSteps(); // null: the model's default
        if (steps != null && (steps < 1 || steps > maxSteps)) {
            return reject(FailureReason.INVALID_STEPS,
                    "Steps must be 1 to " + maxSteps + ", this request asks for " + steps);
        }
        Integer minSteps = request.getMinSteps();
        if (minSteps != null && (minSteps < 1 || minSteps > (steps != null ? steps : maxSteps))) {
            return reject(FailureReason.INVALID_STEPS, "minSteps must be 1 to " + (steps != null ? "the steps asked for, "
                    + steps : String.valueOf(maxSteps)) + ", this request asks for " + minSteps);
        }
        if (request.getSampler() != null && !samplers.contains(request.getSampler())) {
            return reject(FailureReason.UNKNOWN_SAMPLER, "Unknown sampler '" + request.getSampler() + "'; known: "
                    + samplers.stream().sorted().toList());
        }
        Integer label = request.getClassLabel();
        if (label != null && label < 0) {
            return reject(FailureReason.INVALID_LABEL, "A class label is a class index >= 0, not " + label);
        }
        Float guidance = request.getGuidanceScale();
        if (guidance != null && !(Float.isFinite(guidance) && guidance >= 0)) {
            return reject(FailureReason.INVALID_GUIDANCE, "A guidance scale is a finite number >= 0, not " + guidance);
        }
        if (request.getPriority() < 1 || request.getPriority() > MAX_PRIORITY) {
            return reject(FailureReason.INVALID_PRIORITY, "A priority is 1 to " + MAX_PRIORITY + ", not " + request.getPriority());
        }
        Long deadline = request.getDeadlineMs();
        if (deadline != null && deadline < 1) {
            return reject(FailureReason.INVALID_DEADLINE, "A deadline is a positive number of milliseconds, not " + deadline);
        }
        return Optional.empty();
    }

    /** The checks that need the serving version's architecture. */
    static Optional<Rejection> check(PendingSeed seed, String model, DenoiserArchitecture architecture) {
        if (seed.sampler() != null && architecture.family().sampler(seed.sampler()).isEmpty()) {
            return reject(FailureReason.UNKNOWN_SAMPLER, "Model " + model + " (" + architecture.name()
                    + ") has no sampler '" + seed.sampler() + "'; it supports " + architecture.family().samplerNames());
        }
        Sampler sampler = seed.sampler() != null ? architecture.family().sampler(seed.sampler()).orElseThrow()
                : architecture.family().defaultSampler();
        int steps = seed.steps() != PendingSeed.DEFAULT_STEPS ? seed.steps() : architecture.family().defaultSteps();
        if (!sampler.stepCounts().isEmpty() && !sampler.stepCounts().contains(steps)) {
            return reject(FailureReason.INVALID_STEPS, "Model " + model + " (" + architecture.name() + ") samples with "
                    + sampler.name() + " in " + sampler.stepCounts() + " steps only, not " + steps);
        }
        Optional<String> guidance = Float.isNaN(seed.guidance()) ? Optional.empty() : sampler.guidanceRefusal(seed.guidance());
        if (guidance.isPresent()) {
            return reject(FailureReason.INVALID_GUIDANCE, "Model " + model + " (" + architecture.name() + "): "
                    + guidance.get());
        }
        if (!architecture.classConditioned() && (seed.label() != PendingSeed.NO_LABEL || !Float.isNaN(seed.guidance()))) {
            return reject(FailureReason.INVALID_LABEL, "Model " + model + " (" + architecture.name()
                    + ") is not class-conditioned: it takes no class label or guidance scale");
        }
        if (seed.label() >= architecture.classes()) {
            return reject(FailureReason.INVALID_LABEL, "Model " + model + " has classes 0 to " + (architecture.classes() - 1)
                    + (architecture.classNames().isEmpty() ? "" : " " + architecture.classNames()) + ", not " + seed.label());
        }
        return Optional.empty();
    }

    private static Optional<Rejection> reject(FailureReason reason, String message) {
        return Optional.of(new Rejection(reason, message));
    }
}
