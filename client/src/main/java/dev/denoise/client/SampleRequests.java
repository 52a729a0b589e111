package dev.denoise.client;

import dev.denoise.schemas.SampleRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * Where every client starts a request: an id, the seeds and the time sent; the rest (model,
 * version, steps, sampler, label, guidance, priority, deadline) is left to the builder, and what
 * stays unset the sampler fills in with the model's defaults.
 */
public final class SampleRequests {
    /** The model the commands ask for when told none: the shipped class-conditioned one. */
    public static final String DEFAULT_MODEL = "mnist-cond";

    private SampleRequests() {
    }

    /** A request for {@code seeds} with a fresh id that starts with {@code idPrefix}. */
    public static SampleRequest.Builder newRequest(String idPrefix, List<Long> seeds) {
        return newRequestWithId(idPrefix + UUID.randomUUID(), seeds);
    }

    /** A request for {@code seeds} under the given id. */
    public static SampleRequest.Builder newRequestWithId(String requestId, List<Long> seeds) {
        return SampleRequest.newBuilder()
                .setRequestId(requestId)
                .setSeeds(seeds)
                .setRequestedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)); // the schema keeps milliseconds
    }
}
