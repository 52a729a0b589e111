package dev.denoise.sampler;

import dev.denoise.schemas.FailureReason;
import dev.denoise.schemas.SampleRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A request record's bytes in, its accepted seeds or the reason it is refused out: decoding,
 * the checks of {@link RequestValidation}, and the checks against the version that would serve
 * it now (a version that arrives later is checked when a seed gets its slot).
 */
final class RequestIntake {
    private final Deserializer<SampleRequest> requests;
    private final RequestValidation validation;
    private final ModelRegistry registry;

    /** What became of a record. */
    sealed interface Verdict {}

    record Accepted(List<PendingSeed> seeds) implements Verdict {}

    /**
     * @param requestId null when the record could not be decoded
     * @param keepSource whether the failure should carry the record's original bytes
     */
    record Refused(String requestId, FailureReason reason, String message, boolean keepSource) implements Verdict {}

    RequestIntake(Deserializer<SampleRequest> requests, RequestValidation validation, ModelRegistry registry) {
        this.requests = requests;
        this.validation = validation;
        this.registry = registry;
    }

    Verdict accept(String topic, String key, byte[] value, long nowMs) {
        SampleRequest request;
        try {
            request = requests.deserialize(topic, value);
        } catch (RuntimeException e) {
            return new Refused(null, FailureReason.UNDECODABLE, "Undecodable request: " + e.getMessage(), true);
        }
        if (request == null) {
            return new Refused(key, FailureReason.UNDECODABLE, "Empty request (null value)", true);
        }
        String id = request.getRequestId();
        Optional<RequestValidation.Rejection> rejection = validation.check(request);
        if (rejection.isPresent()) {
            return new Refused(id, rejection.get().reason(), rejection.get().message(), false);
        }
        int pinned = request.getPinnedVersion() == null ? 0 : request.getPinnedVersion();
        if (pinned != 0 && registry.knows(request.getModel())
                && !registry.loadedVersions(request.getModel()).contains(pinned)) {
            return new Refused(id, FailureReason.UNKNOWN_VERSION, registry.notLoaded(request.getModel(), pinned), false);
        }
        List<PendingSeed> seeds = seeds(request, pinned, nowMs);
        Optional<RequestValidation.Rejection> mismatch = servingCheck(seeds.get(0));
        if (mismatch.isPresent()) {
            return new Refused(id, mismatch.get().reason(), mismatch.get().message(), false);
        }
        return new Accepted(seeds);
    }

    private static List<PendingSeed> seeds(SampleRequest request, int pinned, long nowMs) {
        long deadlineAt = request.getDeadlineMs() == null ? PendingSeed.NO_DEADLINE
                : saturatedSum(request.getRequestedAt().toEpochMilli(), request.getDeadlineMs());
        List<Long> seeds = request.getSeeds();
        List<PendingSeed> accepted = new ArrayList<>(seeds.size());
        for (int i = 0; i < seeds.size(); i++) {
            accepted.add(new PendingSeed(request.getRequestId(), i, seeds.get(i),
                    request.getSteps() == null ? PendingSeed.DEFAULT_STEPS : request.getSteps(), request.getSampler(),
                    request.getModel(), pinned, nowMs,
                    request.getClassLabel() == null ? PendingSeed.NO_LABEL : request.getClassLabel(),
                    request.getGuidanceScale() == null ? Float.NaN : request.getGuidanceScale(),
                    request.getPriority(), deadlineAt, request.getMinSteps() == null ? 0 : request.getMinSteps()));
        }
        return accepted;
    }

    private static long saturatedSum(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? PendingSeed.NO_DEADLINE : sum;
    }

    private Optional<RequestValidation.Rejection> servingCheck(PendingSeed seed) {
        Optional<LoadedModel> serving = registry.acquire(seed.model(), seed.pinnedVersion());
        try {
            return serving.flatMap(model -> RequestValidation.check(seed, model.model(), model.denoiser().architecture()));
        } finally {
            serving.ifPresent(registry::release);
        }
    }
}
