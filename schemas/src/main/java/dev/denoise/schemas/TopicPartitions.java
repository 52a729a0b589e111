package dev.denoise.schemas;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/** Every partition of a topic, for consumers that read outside a group, or an error a person can act on. */
public final class TopicPartitions {
    private TopicPartitions() {}

    /**
     * @throws IllegalStateException naming the broker when it does not answer within {@code timeout},
     *     or the topic when it does not exist
     */
    public static List<TopicPartition> of(Consumer<?, ?> consumer, String topic, String bootstrapServers, Duration timeout) {
        List<TopicPartition> partitions;
        try {
            partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within "
                    + timeout.toSeconds() + " s", e);
        }
        if (partitions.isEmpty()) {
            throw new IllegalStateException("Topic " + topic + " does not exist at " + bootstrapServers
                    + ": run `denoise topics create`");
        }
        return partitions;
    }
}
