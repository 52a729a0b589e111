package dev.denoise.schemas;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;

/** Every partition of a topic, for consumers that read outside a group, or an error a person can act on. */
public final class TopicPartitions {
    /**
     * How long a topic may stay unknown before it is called missing. Brokers learn of a new topic
     * from the controller asynchronously, so right after `topics create` the broker a client asks
     * may not know it yet (seen on a three-broker cluster).
     */
    static final Duration NEW_TOPIC_GRACE = Duration.ofSeconds(5);
    private static final long RETRY_MILLIS = 100;

    private TopicPartitions() {}

    /**
     * @param timeout how long each question may wait for an answer
     * @throws IllegalStateException naming the broker when it does not answer within {@code timeout},
     *     or the topic when it is still unknown after {@link #NEW_TOPIC_GRACE} (or {@code timeout}, if shorter)
     */
    public static List<TopicPartition> of(Consumer<?, ?> consumer, String topic, String bootstrapServers, Duration timeout) {
        long graceEnds = System.nanoTime() + Math.min(NEW_TOPIC_GRACE.toNanos(), timeout.toNanos());
        while (true) {
            List<TopicPartition> partitions = ask(consumer, topic, bootstrapServers, timeout);
            if (!partitions.isEmpty()) {
                return partitions;
            }
            if (System.nanoTime() - graceEnds >= 0) {
                throw new IllegalStateException("Topic " + topic + " does not exist at " + bootstrapServers
                        + ": run `denoise topics create`");
            }
            try {
                Thread.sleep(RETRY_MILLIS);
            } catch (InterruptedException e) {
                throw new InterruptException(e); // sets the thread's interrupt flag again
            }
        }
    }

    private static List<TopicPartition> ask(Consumer<?, ?> consumer, String topic, String bootstrapServers, Duration timeout) {
        try {
            return consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within "
                    + timeout.toSeconds() + " s", e);
        }
    }
}
