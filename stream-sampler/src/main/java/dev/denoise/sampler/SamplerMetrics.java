package dev.denoise.sampler;

import dev.denoise.schemas.FailureReason;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/** What the sampler counts, rendered in the Prometheus text format. */
final class SamplerMetrics {
    /** Powers of two up to 256: slots and rows per pass. */
    private static final double[] COUNTS = {1, 2, 4, 8, 16, 32, 64, 128, 256};
    /** Seconds, from 10 ms to 5 minutes. */
    private static final double[] SECONDS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};

    private final AtomicLong images = new AtomicLong();
    private final AtomicLong iterations = new AtomicLong();
    private final AtomicLong iterationNanos = new AtomicLong();
    private final AtomicLong imageSteps = new AtomicLong();
    private final Histogram occupancy = new Histogram(COUNTS);
    private final Histogram rows = new Histogram(COUNTS);
    private final Map<Integer, Histogram> queueWaitByPriority = new ConcurrentSkipListMap<>();
    private final Histogram firstImage = new Histogram(SECONDS);
    private final Map<FailureReason, AtomicLong> failures = new EnumMap<>(FailureReason.class);
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong sampling = new AtomicLong();

    SamplerMetrics() {
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
        counter(out, "denoise_images_total", "Images sampled.", images.get());
        counter(out, "denoise_iterations_total", "Scheduler iterations: one network pass moving each image in it one step.",
                iterations.get());
        out.append("# HELP denoise_sampling_seconds_total Time the compute thread spent in iterations.\n"
                        + "# TYPE denoise_sampling_seconds_total counter\n")
                .append(String.format(Locale.ROOT, "denoise_sampling_seconds_total %.6f%n", iterationNanos.get() / 1e9));
        counter(out, "denoise_denoising_steps_total", "Denoising steps run, one per image per step.", imageSteps.get());
        histogram(out, "denoise_slot_occupancy", "Occupied slots per iteration.", occupancy);
        histogram(out, "denoise_batch_size", "Rows per network pass (two for an image where guidance mixes).", rows);
        out.append("# HELP denoise_queue_wait_seconds Time from acceptance to a slot, by request priority.\n"
                + "# TYPE denoise_queue_wait_seconds histogram\n");
        queueWaitByPriority.forEach((priority, h) -> h.render(out, "denoise_queue_wait_seconds",
                "priority=\"" + priority + "\""));
        histogram(out, "denoise_time_to_first_image_seconds", "Time from a request's acceptance to its first image.",
                firstImage);
        gauge(out, "denoise_pending_seeds", "Accepted seeds without an image yet.", pending.get());
        gauge(out, "denoise_sampling_seeds", "Pending seeds in a slot.", sampling.get());
        out.append("# HELP denoise_model_version Newest loaded version per model.\n# TYPE denoise_model_version gauge\n");
        servingVersions.forEach((model, version) ->
                out.append("denoise_model_version{model=\"").append(model).append("\"} ").append(version).append('\n'));
        out.append("# HELP denoise_failures_total Failure records by reason.\n# TYPE denoise_failures_total counter\n");
        failures.forEach((reason, count) ->
                out.append("denoise_failures_total{reason=\"").append(reason).append("\"} ").append(count.get()).append('\n'));
        return out.toString();
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(value).append('\n');
    }

    private static void histogram(StringBuilder out, String name, String help, Histogram histogram) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" histogram\n");
        histogram.render(out, name, "");
    }
}
