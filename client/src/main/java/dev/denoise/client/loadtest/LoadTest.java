package dev.denoise.client.loadtest;

import dev.denoise.client.RequestSender;
import dev.denoise.client.ResultStream;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleFailure;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;

/**
 * One load-test run: requests for one model produced at a fixed rate (or as fast as possible) on one
 * thread, each of a class drawn from the mix, images and failures consumed on another, each image
 * matched to its request.
 */
public final class LoadTest {
    /**
     * What a run measured over all its images, and per class of the mix; {@code timeline} holds, per
     * second since the start, images received and their p50 latency; {@code servedBy} the model
     * versions that made the images (more than one when a new version took over during the run);
     * {@code degraded} the images that took fewer steps than their request asked for ({@link Urgency#minSteps}).
     */
    public record Result(double requestRate, int seeds, int received, int missing, int duplicates, Map<String, Integer> failures,
                  double imagesPerSecond, Latency latency, List<long[]> timeline, List<ClassResult> classes,
                  List<ServedVersion> servedBy, int degraded) {
        public long p50() {
            return latency.p50();
        }

        public long p90() {
            return latency.p90();
        }

        public long p99() {
            return latency.p99();
        }

        public long max() {
            return latency.max();
        }
    }

    /** The figures of one class: its requests and seeds as sent, and its images as received. */
    public record ClassResult(Mix.RequestClass requestClass, int requests, int seeds, int received, int missing,
                       double imagesPerSecond, Latency latency) {}

    /**
     * How urgent every request of a run is: seeds not started within {@code deadlineMs} fail with
     * DEADLINE_EXCEEDED, and with {@code minSteps} they may take fewer steps, down to it, to start in
     * time; null for neither.
     */
    public record Urgency(Long deadlineMs, Integer minSteps) {
        public static final Urgency NONE = new Urgency(null, null);
    }

    /** A request as produced: when, how many seeds, and the index of its class in the mix. */
    record Sent(long atMs, int seeds, int classIndex) {}

    private final ConnectionSettings settings;
    private final Topics topics;
    private final RequestedModel model;
    private final Urgency urgency;
    private final Mix mix;
    private final long mixSeed;
    private final Duration timeout;

    public LoadTest(ConnectionSettings settings, RequestedModel model, Mix mix, long mixSeed, Duration timeout) {
        this(settings, model, Urgency.NONE, mix, mixSeed, timeout);
    }

    public LoadTest(ConnectionSettings settings, RequestedModel model, Urgency urgency, Mix mix, long mixSeed,
                    Duration timeout) {
        this.settings = settings;
        this.topics = Topics.of(settings);
        this.model = model;
        this.urgency = urgency;
        this.mix = mix;
        this.mixSeed = mixSeed;
        this.timeout = timeout;
    }

    /** @param requestsPerSecond 0 for as fast as possible */
    public Result run(int totalSeeds, double requestsPerSecond, ProgressLine progress) throws Exception {
        Map<String, Sent> sent = new ConcurrentHashMap<>();
        try (ResultStream results = new ResultStream(settings, topics, false)) {
            long start = System.currentTimeMillis();
            LoadTally tally = new LoadTally(mix, start);
            Thread producer = new Thread(() -> produce(totalSeeds, requestsPerSecond, sent), "load-producer");
            producer.start();
            long deadline = start + timeout.toMillis();
            while (tally.done() < totalSeeds && System.currentTimeMillis() < deadline) {
                for (GeneratedImage image : results.pollImages(Duration.ofMillis(100))) {
                    Sent request = sent.get(image.getRequestId());
                    if (request != null) { // else not ours
                        tally.image(request, image, System.currentTimeMillis());
                    }
                }
                for (SampleFailure failure : results.pollFailures()) {
                    Sent request = failure.getRequestId() == null ? null : sent.get(failure.getRequestId());
                    if (request != null) {
                        tally.failure(request, failure.getReason().toString(), failure.getSeedIndexes().size());
                    }
                }
                progress.show(tally.received(), totalSeeds);
            }
            producer.join();
            return tally.result(requestsPerSecond, totalSeeds, sent.values(), System.currentTimeMillis());
        }
    }

    private void produce(int totalSeeds, double requestsPerSecond, Map<String, Sent> sent) {
        // Every run of a sweep draws the same sequence of classes, so its rates compare like with like.
        SplittableRandom draws = new SplittableRandom(mixSeed);
        long start = System.nanoTime();
        int requestIndex = 0;
        try (RequestSender sender = new RequestSender(settings)) {
            for (long from = 0; from < totalSeeds; requestIndex++) {
                if (requestsPerSecond > 0) {
                    long due = start + (long) (requestIndex * 1e9 / requestsPerSecond);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                int classIndex = mix.draw(draws);
                Mix.RequestClass requestClass = mix.classes().get(classIndex);
                long to = Math.min(from + requestClass.seedsPerRequest(), totalSeeds); // the last request may be cut short
                SampleRequest request = model.request(requestClass, LongStream.range(from, to).boxed().toList());
                request.setDeadlineMs(urgency.deadlineMs());
                request.setMinSteps(urgency.minSteps());
                sent.put(request.getRequestId(), new Sent(System.currentTimeMillis(), (int) (to - from), classIndex));
                sender.send(request);
                from = to;
            }
            sender.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A one-line progress display on stderr. */
    public interface ProgressLine {
        void show(int done, int total);
    }
}
