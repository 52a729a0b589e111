package dev.denoise.sampler;

import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.testsupport.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** Reads a topic from the beginning, as a read_committed consumer would, for test assertions. */
final class TopicReader {
    private TopicReader() {}

    /** The first {@code count} values matching {@code filter}, or fewer if {@link Await#PATIENCE} passes. */
    static <V> List<V> read(ConnectionSettings connection, Topics.Topic<String, V> topic, Predicate<V> filter, int count) {
        return read(connection, topic, filter, count, Await.PATIENCE);
    }

    /** The first {@code count} values matching {@code filter}, or fewer if {@code patience} passes. */
    static <V> List<V> read(ConnectionSettings connection, Topics.Topic<String, V> topic, Predicate<V> filter, int count,
                            Duration patience) {
        List<V> matching = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = committedConsumer(connection, topic)) {
            long deadline = System.nanoTime() + patience.toNanos();
            while (matching.size() < count && System.nanoTime() - deadline < 0) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (filter.test(r.value())) {
                        matching.add(r.value());
                    }
                });
            }
        }
        return matching;
    }

    /** A read_committed consumer of {@code topic} from its beginning, in a group of its own; close it. */
    static <V> KafkaConsumer<String, V> committedConsumer(ConnectionSettings connection, Topics.Topic<String, V> topic) {
        Map<String, Object> config = new HashMap<>(connection.clientConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, V> consumer = new KafkaConsumer<>(config, topic.keySerde().deserializer(),
                topic.valueSerde().deserializer());
        consumer.subscribe(List.of(topic.name()));
        return consumer;
    }
}
