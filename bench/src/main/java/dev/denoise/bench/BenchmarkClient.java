package dev.denoise.bench;

import dev.denoise.client.RequestSender;
import dev.denoise.client.SampleRequests;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * A benchmark's client: a request producer and a read_committed image consumer, on the caller's
 * thread. What the load test does minus its producer thread, failures consumer and histograms:
 * it shares the two cores with the sampler it measures, so it does as little as it can.
 */
final class BenchmarkClient implements AutoCloseable {
    private final Topics topics;
    private final RequestSender sender;
    private final KafkaConsumer<String, GeneratedImage> consumer;
    private final Map<String, Long> sentAtMs = new HashMap<>();

    BenchmarkClient(ConnectionSettings connection) {
        topics = Topics.of(connection);
        Map<String, Object> config = new HashMap<>(connection.clientConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // It is not polled while a benchmark samples in-process; it must not be dropped from its group then.
        config.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofHours(1).toMillis());
        consumer = new KafkaConsumer<>(config, topics.images.keySerde().deserializer(),
                topics.images.valueSerde().deserializer());
        sender = new RequestSender(connection);
        consumer.subscribe(List.of(topics.images.name()));
    }

    /**
     * Sends a request for {@code seeds} at {@code steps} steps (the model's default sampler); returns
     * its id. It may wait in the producer's buffer until {@link #flush} or {@link #await}.
     */
    String send(long[] seeds, int steps) {
        SampleRequest request = SampleRequests.newRequest("bench-", LongStream.of(seeds).boxed().toList()).setSteps(steps)
                .build();
        sentAtMs.put(request.getRequestId(), System.currentTimeMillis());
        sender.send(request);
        return request.getRequestId();
    }

    void flush() {
        sender.flush();
    }

    /**
     * Waits (up to 10 minutes) for the images of the requests in {@code expected} (id to seed
     * count); the latency of each distinct image (request, index) per request, sorted, so a
     * duplicate cannot stand in for a missing one.
     */
    Map<String, long[]> await(Map<String, Integer> expected) {
        sender.flush();
        Map<String, long[]> latencies = new HashMap<>();
        Map<String, Integer> received = new HashMap<>();
        expected.forEach((id, count) -> latencies.put(id, new long[count]));
        int total = expected.values().stream().mapToInt(Integer::intValue).sum();
        int all = 0;
        Set<String> seen = new HashSet<>();
        long deadline = System.currentTimeMillis() + 600_000;
        while (all < total && System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, GeneratedImage> record : consumer.poll(Duration.ofMillis(50))) {
                long[] request = latencies.get(record.key());
                if (request != null && seen.add(record.key() + "#" + record.value().getIndex())) {
                    int index = received.merge(record.key(), 1, Integer::sum) - 1;
                    request[index] = System.currentTimeMillis() - sentAtMs.get(record.key());
                    all++;
                }
            }
        }
        latencies.replaceAll((id, values) -> {
            long[] got = Arrays.copyOf(values, received.getOrDefault(id, 0));
            Arrays.sort(got);
            return got;
        });
        return latencies;
    }

    @Override
    public void close() {
        sender.close();
        consumer.close();
    }
}
