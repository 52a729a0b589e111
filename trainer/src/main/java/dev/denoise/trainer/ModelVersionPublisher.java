package dev.denoise.trainer;

import dev.denoise.schemas.ModelVersion;
import dev.denoise.schemas.TopicPartitions;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.TrainingInfo;
import dev.denoise.schemas.config.ConnectionSettings;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Publishes a trained model as the next version of its name on the model-versions topic, keyed by
 * model name. The next number is one more than the highest version of that name on the topic;
 * two trainers publishing the same name at the same moment could pick the same number, so
 * publishing is meant to be done by one trainer (or job) per model name at a time.
 */
public final class ModelVersionPublisher {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

    private final ConnectionSettings settings;
    private final Topics topics;

    public ModelVersionPublisher(ConnectionSettings settings) {
        this.settings = settings;
        this.topics = Topics.of(settings);
    }

    /** The model-versions topic this publisher writes and reads. */
    public String topicName() {
        return topics.modelVersions.name();
    }

    /** Sends {@code model} as version latest+1 and returns the record as published. */
    public ModelVersion publish(TrainedModel model) throws InterruptedException {
        return send(toRecord(model, latestVersion(model.modelName()) + 1, Instant.now()));
    }

    /**
     * Makes an existing version the latest again (a rollback): its record is published once more,
     * and samplers serve the version announced last.
     */
    public ModelVersion promote(String modelName, int versionNumber) throws InterruptedException {
        ModelVersion found = null;
        java.util.SortedSet<Integer> known = new java.util.TreeSet<>();
        for (ModelVersion version : readAll()) {
            if (version.getModel().equals(modelName)) {
                known.add(version.getVersion());
                if (version.getVersion() == versionNumber) {
                    found = version;
                }
            }
        }
        if (found == null) {
            throw new IllegalArgumentException(known.isEmpty()
                    ? "No model named '" + modelName + "' on " + topics.modelVersions.name()
                    : "Model '" + modelName + "' has no version " + versionNumber + " on " + topics.modelVersions.name()
                            + "; versions: " + known);
        }
        return send(found);
    }

    private ModelVersion send(ModelVersion version) throws InterruptedException {
        Map<String, Object> config = new HashMap<>(settings.clientConfig());
        config.putAll(topics.modelVersions.producerOverrides());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, ModelVersion> producer = new KafkaProducer<>(config,
                topics.modelVersions.keySerde().serializer(), topics.modelVersions.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topics.modelVersions.name(), version.getModel(), version)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Publishing " + version.getModel() + " v" + version.getVersion() + " to "
                    + topics.modelVersions.name() + " at " + settings.bootstrapServers() + " failed: "
                    + e.getCause().getMessage(), e.getCause());
        }
        return version;
    }

    /** The highest version of {@code modelName} on the topic, 0 if there is none. */
    public int latestVersion(String modelName) {
        int latest = 0;
        for (ModelVersion version : readAll()) {
            if (version.getModel().equals(modelName)) {
                latest = Math.max(latest, version.getVersion());
            }
        }
        return latest;
    }

    /** Every model version still on the (compacted) topic, read to its end. */
    public List<ModelVersion> readAll() {
        Map<String, Object> config = new HashMap<>(settings.clientConfig());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ModelVersion> versions = new java.util.ArrayList<>();
        try (KafkaConsumer<String, ModelVersion> consumer = new KafkaConsumer<>(config,
                topics.modelVersions.keySerde().deserializer(), topics.modelVersions.valueSerde().deserializer())) {
            List<TopicPartition> partitions = TopicPartitions.of(consumer, topics.modelVersions.name(),
                    settings.bootstrapServers(), READ_TIMEOUT);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, READ_TIMEOUT);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read " + topics.modelVersions.name() + " to its end within "
                            + READ_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<String, ModelVersion> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() != null) { // tombstones delete a model name
                        versions.add(record.value());
                    }
                }
            }
        }
        return versions;
    }

    /** The record that describes {@code model} as version {@code version} of its name. */
    public static ModelVersion toRecord(TrainedModel model, int version, Instant createdAt) {
        return ModelVersion.newBuilder()
                .setModel(model.modelName())
                .setVersion(version)
                .setArchitecture(model.architecture())
                .setHyperParameters(model.hyperParameters())
                .setWeights(ByteBuffer.wrap(model.weights()))
                .setWeightsSha256(model.sha256())
                .setTraining(TrainingInfo.newBuilder()
                        .setDataset(model.dataset())
                        .setEpochs(model.epochs())
                        .setBatchSize(model.batchSize())
                        .setLearningRate(model.learningRate())
                        .setSeed(model.seed())
                        .setFinalLoss(model.finalLoss())
                        .setMetrics(model.metrics())
                        .build())
                .setCreatedAt(createdAt.truncatedTo(ChronoUnit.MILLIS))
                .build();
    }
}
