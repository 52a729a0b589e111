package dev.denoise.sampler;

import dev.denoise.schemas.FailureReason;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/** What the sampler counts, rendered in the Prometheus text format. */
final class ServiceMetrics {
    /** Powers of two up to 256: slots and rows per pass. */
    private static final double[] COUNTS = {1, 2, 4, 8, 16, 32, 64, 128, 256};
    /** Seconds, from 10 ms to 5 minutes. */
    private static final double[] SECONDS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};

    private final AtomicLong images = new AtomicLong();
    private final AtomicLong iterations = new AtomicLong();
    private final AtomicLong iterationNanos = new AtomicLong();
    private final AtomicLong imageSteps = new AtomicLong();
    private final AtomicLong degraded = new AtomicLong();
    private final Histogram occupancy = new Histogram(COUNTS);
    private final Histogram rows = new Histogram(COUNTS);
    private final Map<Integer, Histogram> queueWaitByPriority = new ConcurrentSkipListMap<>();
    private final Histogram firstImage = new Histogram(SECONDS);
    private final Map<FailureReason, AtomicLong> failures = new EnumMap<>(FailureReason.class);
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong sampling = new AtomicLong();

    ServiceMetrics() {
        for (FailureReason reason : FailureReason.values()) {
            failures.put(reason, new AtomicLong());
        }
    }

    /** One iteration: of {@code occupied} slots, {@code stepped} images moved a step each in one pass of {@code rowCount} rows. */
    void iteration(int occupied, int stepped, int rowCount, long nanos) {
        iterations.incrementAndGet();
        iterationNanos.addAndGet(nanos);
        imageSteps.addAndGet(stepped);
        occupancy.observe(occupied);
        rows.observe(rowCount);
    }

    /** A seed started with fewer steps than asked for, so that its request's deadline holds. */
    void degraded() {
        degraded.incrementAndGet();
    }

    void image() {
        images.incrementAndGet();
    }

    /** A seed of a request of {@code priority} got a slot after waiting {@code ms}. */
    void queueWait(int priority, long ms) {
        queueWaitByPriority.computeIfAbsent(priority, p -> new Histogram(SECONDS)).observe(ms / 1000.0);
    }

    /** A request's first image, {@code ms} after the sampler accepted it. */
    void firstImage(long ms) {
        firstImage.observe(ms / 1000.0);
    }

    void failure(FailureReason reason) {
        failures.get(reason).incrementAndGet();
    }

    /** Seeds accepted (positive) or finished, failed or handed to another instance (negative). */
    void pendingChanged(long delta) {
        pending.addAndGet(delta);
    }

    /** Seeds given a slot (positive) or out of their slot (negative). */
    void samplingChanged(long delta) {
        sampling.addAndGet(delta);
    }

    String render(Map<String, Integer> servingVersions) {
        StringBuilder out = new StringBuilder();
        scalar(out, "denoise_images_total", "Images sampled.", "counter", images.get());
        scalar(out, "denoise_iterations_total", "Batcher iterations: one network pass moving each image in it one step.",
                "counter", iterations.get());
        header(out, "denoise_sampling_seconds_total", "Time the compute thread spent in iterations.", "counter")
                .append(String.format(Locale.ROOT, "denoise_sampling_seconds_total %.6f%n", iterationNanos.get() / 1e9));
        scalar(out, "denoise_denoising_steps_total", "Denoising steps run, one per image per step.", "counter",
                imageSteps.get());
        scalar(out, "denoise_degraded_seeds_total", "Seeds started with fewer steps than asked for (down to the "
                + "request's minSteps) because its deadline would otherwise be missed.", "counter", degraded.get());
        histogram(out, "denoise_slot_occupancy", "Occupied slots per iteration.", occupancy);
        histogram(out, "denoise_batch_size", "Rows per network pass (two for an image where guidance mixes).", rows);
        header(out, "denoise_queue_wait_seconds", "Time from acceptance to a slot, by request priority.", "histogram");
        queueWaitByPriority.forEach((priority, h) -> h.render(out, "denoise_queue_wait_seconds",
                "priority=\"" + priority + "\""));
        histogram(out, "denoise_time_to_first_image_seconds", "Time from a request's acceptance to its first image.",
                firstImage);
        scalar(out, "denoise_pending_seeds", "Accepted seeds without an image yet.", "gauge", pending.get());
        scalar(out, "denoise_sampling_seeds", "Pending seeds in a slot.", "gauge", sampling.get());
        header(out, "denoise_model_version", "Newest loaded version per model.", "gauge");
        servingVersions.forEach((model, version) ->
                out.append("denoise_model_version{model=\"").append(model).append("\"} ").append(version).append('\n'));
        header(out, "denoise_failures_total", "Failure records by reason.", "counter");
        failures.forEach((reason, count) ->
                out.append("denoise_failures_total{reason=\"").append(reason).append("\"} ").append(count.get()).append('\n'));
        return out.toString();
    }

    /** The HELP and TYPE lines of metric {@code name}. */
    private static StringBuilder header(StringBuilder out, String name, String help, String type) {
        return out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(' ')
                .append(type).append('\n');
    }

    private static void scalar(StringBuilder out, String name, String help, String type, long value) {
        header(out, name, help, type).append(name).append(' ').append(value).append('\n');
    }

    private static void histogram(StringBuilder out, String name, String help, Histogram histogram) {
        header(out, name, help, "histogram");
        histogram.render(out, name, "");
    }
}
