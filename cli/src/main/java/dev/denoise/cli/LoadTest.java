package dev.denoise.cli;

import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleFailure;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One load-test run: requests produced at a fixed rate (or as fast as possible) on one thread,
 * images and failures consumed on another, each image matched to its request.
 */
final class LoadTest {
    /** What a run measured; {@code timeline} holds, per second since the start, images received and their p50 latency. */
    record Result(double requestRate, int seeds, int received, int missing, int duplicates, Map<String, Integer> failures,
                  double imagesPerSecond, long p50, long p90, long p99, long max, List<long[]> timeline) {}

    private final ConnectionSettings settings;
    private final Topics topics;
    private final int steps;
    private final int seedsPerRequest;
    private final Duration timeout;

    LoadTest(ConnectionSettings settings, int steps, int seedsPerRequest, Duration timeout) {
        this.settings = settings;
        this.topics = Topics.of(settings);
        this.steps = steps;
        this.seedsPerRequest = seedsPerRequest;
        this.timeout = timeout;
    }

    /** @param requestsPerSecond 0 for as fast as possible */
    Result run(int totalSeeds, double requestsPerSecond, ProgressLine progress) throws Exception {
        Map<String, Long> sentAtMs = new ConcurrentHashMap<>();
        Map<String, Integer> seedsOf = new ConcurrentHashMap<>();
        Histogram latency = new Histogram(3_600_000L, 3);
        Map<Long, Histogram> perSecond = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        Map<String, Integer> failures = new TreeMap<>();
        int duplicates = 0;
        int failedSeeds = 0;
        try (ResultStream results = new ResultStream(settings, topics, false)) {
            long start = System.currentTimeMillis();
            Thread producer = new Thread(() -> produce(totalSeeds, requestsPerSecond, sentAtMs, seedsOf), "load-producer");
            producer.start();
            long deadline = start + timeout.toMillis();
            while (seen.size() + failedSeeds < totalSeeds && System.currentTimeMillis() < deadline) {
                for (GeneratedImage image : results.pollImages(Duration.ofMillis(100))) {
                    Long sent = sentAtMs.get(image.getRequestId());
                    if (sent == null) {
                        continue; // not ours
                    }
                    if (!seen.add(image.getRequestId() + "/" + image.getIndex())) {
                        duplicates++;
                        continue;
                    }
                    long now = System.currentTimeMillis();
                    latency.recordValue(Math.max(0, now - sent));
                    perSecond.computeIfAbsent((now - start) / 1000, s -> new Histogram(3_600_000L, 2))
                            .recordValue(Math.max(0, now - sent));
                }
                for (SampleFailure failure : results.pollFailures()) {
                    Integer count = failure.getRequestId() == null ? null : seedsOf.get(failure.getRequestId());
                    if (count != null) {
                        failures.merge(failure.getReason().toString(), 1, Integer::sum);
                        failedSeeds += count;
                    }
                }
                progress.show(seen.size(), totalSeeds);
            }
            producer.join();
            double seconds = (System.currentTimeMillis() - start) / 1000.0;
            List<long[]> timeline = new ArrayList<>();
            perSecond.forEach((second, h) -> timeline.add(new long[] {second, h.getTotalCount(), h.getValueAtPercentile(50)}));
            return new Result(requestsPerSecond, totalSeeds, seen.size(), totalSeeds - seen.size() - failedSeeds, duplicates,
                    failures, seen.size() / seconds, latency.getValueAtPercentile(50), latency.getValueAtPercentile(90),
                    latency.getValueAtPercentile(99), latency.getMaxValue(), timeline);
        }
    }

    private void produce(int totalSeeds, double requestsPerSecond, Map<String, Long> sentAtMs, Map<String, Integer> seedsOf) {
        long start = System.nanoTime();
        int requestIndex = 0;
        try (KafkaProducer<String, SampleRequest> producer = new KafkaProducer<>(settings.clientConfig(),
                topics.requests.keySerde().serializer(), topics.requests.valueSerde().serializer())) {
            for (long from = 0; from < totalSeeds; from += seedsPerRequest, requestIndex++) {
                if (requestsPerSecond > 0) {
                    long due = start + (long) (requestIndex * 1e9 / requestsPerSecond);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                long to = Math.min(from + seedsPerRequest, totalSeeds);
                SampleRequest request = SampleRequest.newBuilder()
                        .setRequestId("load-" + UUID.randomUUID())
                        .setSeeds(LongStream.range(from, to).boxed().toList())
                        .setSteps(steps)
                        .setRequestedAt(Instant.now())
                        .build();
                sentAtMs.put(request.getRequestId(), System.currentTimeMillis());
                seedsOf.put(request.getRequestId(), (int) (to - from));
                producer.send(new ProducerRecord<>(topics.requests.name(), request.getRequestId(), request));
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A one-line progress display on stderr. */
    interface ProgressLine {
        void show(int done, int total);
    }
}
