package dev.denoise.sampler;

import dev.denoise.schemas.FailureReason;
import dev.denoise.schemas.ModelVersion;
import dev.denoise.schemas.SampleFailure;
import dev.denoise.schemas.TopicPartitions;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the model-versions topic from its beginning on its own thread, off the processing path:
 * every instance loads every version (no consumer group), checks and warms it up in the registry,
 * and reports a refused version on the failures topic while the previous version keeps serving.
 */
final class ModelVersionFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelVersionFollower.class);

    private final KafkaConsumer<String, ModelVersion> consumer;
    private final KafkaProducer<String, SampleFailure> failures;
    private final Topics topics;
    private final ModelRegistry registry;
    private final Thread thread;
    private final String bootstrapServers;
    private volatile boolean running = true;

    ModelVersionFollower(ConnectionSettings connection, Topics topics, ModelRegistry registry) {
        this.topics = topics;
        this.registry = registry;
        this.bootstrapServers = connection.bootstrapServers();
        Map<String, Object> config = new HashMap<>(connection.clientConfig());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(config, topics.modelVersions.keySerde().deserializer(),
                topics.modelVersions.valueSerde().deserializer());
        this.failures = new KafkaProducer<>(connection.clientConfig(), topics.failures.keySerde().serializer(),
                topics.failures.valueSerde().serializer());
        this.thread = new Thread(this::run, "model-version-follower");
        this.thread.setDaemon(true);
    }

    void start() {
        List<TopicPartition> partitions = TopicPartitions.of(consumer, topics.modelVersions.name(),
                bootstrapServers, Duration.ofSeconds(30));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, ModelVersion> record : consumer.poll(Duration.ofMillis(250))) {
                    if (record.value() != null) {
                        install(record.value());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("Model-version follower stopped: {}", e.toString(), e);
        }
    }

    private void install(ModelVersion version) {
        try {
            registry.install(version).heldBecause().ifPresent(why -> report(FailureReason.QUALITY_HELD, why));
        } catch (ModelRegistry.RejectedVersion e) {
            LOG.warn("{}; still serving {}", e.getMessage(), registry.latestVersions());
            report(FailureReason.MODEL_REJECTED, e.getMessage());
        }
    }

    private void report(FailureReason reason, String message) {
        failures.send(new ProducerRecord<>(topics.failures.name(), null, SampleFailure.newBuilder()
                .setReason(reason)
                .setMessage(message)
                .setFailedAt(Instant.now())
                .build()));
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close();
        failures.close();
    }
}
