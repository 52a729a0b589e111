package dev.denoise.sampler;

import dev.denoise.schemas.FailureReason;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** Counters the sampler keeps and renders in the Prometheus text format. */
final class SamplerMetrics {
    /** Upper bounds of the batch-size histogram buckets. */
    private static final int[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256};

    private final AtomicLong images = new AtomicLong();
    private final AtomicLong samplingNanos = new AtomicLong();
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLongArray batchBuckets = new AtomicLongArray(BATCH_BUCKETS.length + 1);
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong batchedImages = new AtomicLong();
    private final Map<FailureReason, AtomicLong> failures = new EnumMap<>(FailureReason.class);
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong sampling = new AtomicLong();

    SamplerMetrics() {
        for (FailureReason reason : FailureReason.values()) {
            failures.put(reason, new AtomicLong());
        }
    }

    void batch(int size, int stepCount, long nanos) {
        images.addAndGet(size);
        samplingNanos.addAndGet(nanos);
        steps.addAndGet(stepCount);
        batches.incrementAndGet();
        batchedImages.addAndGet(size);
        int bucket = 0;
        while (bucket < BATCH_BUCKETS.length && size > BATCH_BUCKETS[bucket]) {
            bucket++;
        }
        batchBuckets.incrementAndGet(bucket);
    }

    void failure(FailureReason reason) {
        failures.get(reason).incrementAndGet();
    }

    /** Seeds accepted (positive) or finished, failed or handed to another instance (negative). */
    void pendingChanged(long delta) {
        pending.addAndGet(delta);
    }

    /** Seeds handed to the compute thread in a batch (positive) or emitted, failed or dropped from it (negative). */
    void samplingChanged(long delta) {
        sampling.addAndGet(delta);
    }

    String render(Map<String, Integer> servingVersions) {
        StringBuilder out = new StringBuilder();
        out.append("# HELP denoise_images_total Images emitted.\n# TYPE denoise_images_total counter\n")
                .append("denoise_images_total ").append(images.get()).append('\n');
        out.append("# HELP denoise_sampling_seconds_total Time spent sampling.\n# TYPE denoise_sampling_seconds_total counter\n")
                .append(String.format(Locale.ROOT, "denoise_sampling_seconds_total %.6f%n", samplingNanos.get() / 1e9));
        out.append("# HELP denoise_denoising_steps_total Denoising steps run (one per batch per step).\n"
                + "# TYPE denoise_denoising_steps_total counter\n")
                .append("denoise_denoising_steps_total ").append(steps.get()).append('\n');
        out.append("# HELP denoise_batch_size Images per forward pass.\n# TYPE denoise_batch_size histogram\n");
        long cumulative = 0;
        for (int i = 0; i < BATCH_BUCKETS.length; i++) {
            cumulative += batchBuckets.get(i);
            out.append("denoise_batch_size_bucket{le=\"").append(BATCH_BUCKETS[i]).append("\"} ").append(cumulative).append('\n');
        }
        cumulative += batchBuckets.get(BATCH_BUCKETS.length);
        out.append("denoise_batch_size_bucket{le=\"+Inf\"} ").append(cumulative).append('\n')
                .append("denoise_batch_size_sum ").append(batchedImages.get()).append('\n')
                .append("denoise_batch_size_count ").append(batches.get()).append('\n');
        out.append("# HELP denoise_pending_seeds Accepted seeds without an image yet.\n# TYPE denoise_pending_seeds gauge\n")
                .append("denoise_pending_seeds ").append(pending.get()).append('\n');
        out.append("# HELP denoise_sampling_seeds Pending seeds in batches on the compute thread.\n"
                + "# TYPE denoise_sampling_seeds gauge\n")
                .append("denoise_sampling_seeds ").append(sampling.get()).append('\n');
        out.append("# HELP denoise_model_version Newest loaded version per model.\n# TYPE denoise_model_version gauge\n");
        servingVersions.forEach((model, version) ->
                out.append("denoise_model_version{model=\"").append(model).append("\"} ").append(version).append('\n'));
        out.append("# HELP denoise_failures_total Failure records by reason.\n# TYPE denoise_failures_total counter\n");
        failures.forEach((reason, count) ->
                out.append("denoise_failures_total{reason=\"").append(reason).append("\"} ").append(count.get()).append('\n'));
        return out.toString();
    }
}
