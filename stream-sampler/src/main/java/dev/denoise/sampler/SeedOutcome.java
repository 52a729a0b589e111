package dev.denoise.sampler;

import dev.denoise.schemas.FailureReason;
import java.util.List;

/** What became of seeds the batcher took from the waiting queue: an image, or a failure of their request. */
sealed interface SeedOutcome {

    /** The seeds whose store entries this outcome settles. */
    List<PendingSeed> seeds();

    /**
     * A finished image: 8-bit values in row-major order, one plane per channel (grey, or red, green, blue).
     *
     * @param guidance the scale used, or null for a model without guidance
     */
    record Sampled(PendingSeed seed, byte[] pixels, int width, int height, int channels, String model, int version, String sampler,
                   Float guidance, long startMs, long endMs) implements SeedOutcome {
        @Override
        public List<PendingSeed> seeds() {
            return List.of(seed);
        }
    }

    /** A request's seeds that cannot be sampled, with one reason for all of them. */
    record Failed(String requestId, FailureReason reason, String message, List<PendingSeed> seeds) implements SeedOutcome {}
}
