package dev.denoise.trainer;

import dev.denoise.schemas.ModelCatalogue;
import dev.denoise.schemas.ModelPromotion;
import dev.denoise.schemas.ModelVersion;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.TrainingInfo;
import dev.denoise.schemas.config.ConnectionSettings;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes a trained model as the next version of its name, keyed by model and version so that
 * every version survives compaction, and promotes an existing version back to latest (a
 * rollback). The next number is one more than the highest version of that name in the
 * {@link ModelCatalogue}; two trainers publishing the same name at the same moment could pick the
 * same number, so publishing is meant to be done by one trainer (or job) per model name at a time.
 * Weights a version of that name already holds are refused, so a version number always means new
 * weights.
 */
public final class ModelVersionPublisher {
    private final ConnectionSettings settings;
    private final Topics topics;

    public ModelVersionPublisher(ConnectionSettings settings) {
        this.settings = settings;
        this.topics = Topics.of(settings);
    }

    /** The model-versions topic this publisher writes. */
    public String topicName() {
        return topics.modelVersions.name();
    }

    /**
     * Sends {@code model} as version highest+1 and returns the record as published.
     *
     * @throws WeightsAlreadyPublishedException when a version of the same name already has these
     *         weights (the same SHA-256); the same weights under another name are published
     */
    public ModelVersion publish(TrainedModel model) throws InterruptedException {
        return publish(model, null);
    }

    /**
     * As above; with a {@code weightsUri} the record carries that URI and the hash instead of the
     * bytes (a claim check, for weights beyond a record's limit), and samplers fetch them from there.
     */
    public ModelVersion publish(TrainedModel model, String weightsUri) throws InterruptedException {
        ModelCatalogue catalogue = ModelCatalogue.read(settings);
        Optional<ModelVersion> existing = catalogue.versionWithWeights(model.modelName(), model.sha256());
        if (existing.isPresent()) {
            throw new WeightsAlreadyPublishedException(existing.get());
        }
        ModelVersion version = toRecord(model, catalogue.highestVersion(model.modelName()) + 1, Instant.now(), weightsUri);
        send(topics.modelVersions, ModelCatalogue.key(version.getModel(), version.getVersion()), version);
        return version;
    }

    /**
     * Makes an existing version the latest (a rollback, or a version the quality gate held back):
     * samplers serve it to unpinned requests until a version published after now passes the gate.
     */
    public ModelPromotion promote(String modelName, int versionNumber) throws InterruptedException {
        ModelCatalogue catalogue = ModelCatalogue.read(settings);
        if (catalogue.version(modelName, versionNumber).isEmpty()) {
            Set<Integer> known = catalogue.versionNumbers(modelName);
            throw new IllegalArgumentException(known.isEmpty()
                    ? "No model named '" + modelName + "' on " + topics.modelVersions.name()
                    : "Model '" + modelName + "' has no version " + versionNumber + " on " + topics.modelVersions.name()
                            + "; versions: " + known);
        }
        ModelPromotion promotion = ModelPromotion.newBuilder().setModel(modelName).setVersion(versionNumber)
                .setPromotedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)).build();
        send(topics.modelPromotions, modelName, promotion);
        return promotion;
    }

    private <V> void send(Topics.Topic<String, V> topic, String key, V value) throws InterruptedException {
        Map<String, Object> config = new HashMap<>(settings.clientConfig());
        config.putAll(topic.producerOverrides());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(config, topic.keySerde().serializer(),
                topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), key, value)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Publishing " + key + " to " + topic.name() + " at "
                    + settings.bootstrapServers() + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** The record that describes {@code model} as version {@code version} of its name. */
    public static ModelVersion toRecord(TrainedModel model, int version, Instant createdAt) {
        return toRecord(model, version, createdAt, null);
    }

    /** As above, by reference to {@code weightsUri} when it is not null. */
    public static ModelVersion toRecord(TrainedModel model, int version, Instant createdAt, String weightsUri) {
        return ModelVersion.newBuilder()
                .setModel(model.modelName())
                .setVersion(version)
                .setArchitecture(model.architecture())
                .setHyperParameters(model.hyperParameters())
                .setWeights(ByteBuffer.wrap(weightsUri == null ? model.weights() : new byte[0]))
                .setWeightsUri(weightsUri)
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
