package dev.denoise.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A topic the answering broker does not know yet is asked for again, as one just created is
 * unknown to some brokers for a moment; one still unknown after the grace is reported missing.
 * (Kafka's own MockConsumer stands in for the broker here: the race cannot be provoked on demand.)
 */
class TopicPartitionsTest {

    @Test
    void aTopicThatAppearsWhileAskedIsFound() {
        MockConsumer<String, String> consumer = new ConsumerThatLearns("requests", 3);
        List<TopicPartition> partitions = TopicPartitions.of(consumer, "requests", "broker:9092", Duration.ofSeconds(15));
        assertThat(partitions).containsExactly(new TopicPartition("requests", 0), new TopicPartition("requests", 1));
    }

    @Test
    void aTopicStillUnknownAfterTheGraceIsMissing() {
        ConsumerThatLearns consumer = new ConsumerThatLearns("other", 1);
        assertThatThrownBy(() -> TopicPartitions.of(consumer, "requests", "broker:9092", Duration.ofSeconds(15)))
                .hasMessage("Topic requests does not exist at broker:9092: run `denoise topics create`");
        assertThat(consumer.asked).as("asked again during the grace").isGreaterThan(1);
    }

    /** Knows {@code topic} (two partitions) from its {@code learnsAt}-th question on. */
    private static final class ConsumerThatLearns extends MockConsumer<String, String> {
        private final String topic;
        private final int learnsAt;
        int asked;

        ConsumerThatLearns(String topic, int learnsAt) {
            super("earliest");
            this.topic = topic;
            this.learnsAt = learnsAt;
        }

        @Override
        public synchronized List<PartitionInfo> partitionsFor(String name) {
            if (++asked == learnsAt) {
                updatePartitions(topic, List.of(partition(0), partition(1)));
            }
            List<PartitionInfo> known = super.partitionsFor(name);
            return known == null ? List.of() : known;
        }

        private PartitionInfo partition(int number) {
            return new PartitionInfo(topic, number, null, null, null);
        }
    }
}
