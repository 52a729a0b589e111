package dev.denoise.client;

import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleFailure;
import dev.denoise.schemas.TopicPartitions;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The images and failures topics, read as a read_committed consumer outside any group (every
 * partition, no offsets committed), from the beginning or from now on.
 */
public final class ResultStream implements AutoCloseable {
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(15);

    private final KafkaConsumer<String, GeneratedImage> images;
    private final KafkaConsumer<String, SampleFailure> failures;
    private final Map<TopicPartition, Long> imagesEnd;

    public ResultStream(ConnectionSettings settings, Topics topics, boolean fromBeginning) {
        Map<String, Object> config = new HashMap<>(settings.clientConfig());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) METADATA_TIMEOUT.toMillis());
        images = new KafkaConsumer<>(config, topics.images.keySerde().deserializer(), topics.images.valueSerde().deserializer());
        failures = new KafkaConsumer<>(config, topics.failures.keySerde().deserializer(),
                topics.failures.valueSerde().deserializer());
        try {
            imagesEnd = position(images, topics.images.name(), fromBeginning, settings);
            position(failures, topics.failures.name(), fromBeginning, settings);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static Map<TopicPartition, Long> position(KafkaConsumer<String, ?> consumer, String topic, boolean fromBeginning,
                                                      ConnectionSettings settings) {
        List<TopicPartition> partitions = TopicPartitions.of(consumer, topic, settings.bootstrapServers(), METADATA_TIMEOUT);
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // fix the position now, before anything is produced
        }
        return consumer.endOffsets(partitions);
    }

    public List<GeneratedImage> pollImages(Duration timeout) {
        List<GeneratedImage> batch = new ArrayList<>();
        images.poll(timeout).forEach(r -> batch.add(r.value()));
        return batch;
    }

    public List<SampleFailure> pollFailures() {
        List<SampleFailure> batch = new ArrayList<>();
        failures.poll(Duration.ZERO).forEach(r -> batch.add(r.value()));
        return batch;
    }

    /** True once the images consumer has read everything that was on the topic when it started. */
    public boolean caughtUp() {
        return imagesEnd.entrySet().stream().allMatch(e -> images.position(e.getKey()) >= e.getValue());
    }

    @Override
    public void close() {
        images.close();
        failures.close();
    }
}
