package dev.denoise.schemas;

import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.schemas.registry.RegistryClientConfig;
import dev.denoise.schemas.registry.SchemaRegistryClient;
import dev.denoise.schemas.serde.AvroSerde;
import dev.denoise.schemas.serde.KeySerde;
import dev.denoise.schemas.serde.SubjectNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;

/**
 * Every topic of the system, each bound to its key and value serdes and its topic configuration.
 * Keys are plain UTF-8 strings (Kafka's StringSerializer), or Avro strings with
 * {@code DENOISE_KEY_FORMAT=avro} ({@link KeySerde}); values are Avro on the Confluent wire
 * format, their schemas registered under {@code <topic>-value}.
 */
public final class Topics {
    /** Model weights are ~1.2 MB, beyond Kafka's 1 MB default; the broker, topic and producer must agree. */
    public static final int MODEL_VERSIONS_MAX_BYTES = 16 * 1024 * 1024;

    /** A topic's name, its serdes, the schema of its values and the configuration it is created with. */
    public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, Schema valueSchema,
                              Map<String, String> config) {

        /** Producer settings a producer writing to this topic needs beyond the defaults. */
        public Map<String, Object> producerOverrides() {
            String maxBytes = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            return maxBytes == null ? Map.of() : Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.parseInt(maxBytes));
        }
    }

    /** SampleRequests from clients, keyed by request id. */
    public final Topic<String, SampleRequest> requests;
    /** GeneratedImages, one per seed, keyed by request id. */
    public final Topic<String, GeneratedImage> images;
    /** ModelVersions, keyed by model and version ({@link ModelCatalogue#key}); compacted, so every version is kept. */
    public final Topic<String, ModelVersion> modelVersions;
    /** ModelPromotions, keyed by model name; compacted, so each model's newest promotion is kept. */
    public final Topic<String, ModelPromotion> modelPromotions;
    /** SampleFailures (dead letters), keyed by request id when known. */
    public final Topic<String, SampleFailure> failures;

    private final SchemaRegistryClient registry;
    private final boolean avroKeys;

    public Topics(String prefix, SchemaRegistryClient registry, Map<String, ?> serdeConfigs) {
        this.registry = registry;
        this.avroKeys = KeySerde.avroKeys(serdeConfigs);
        this.requests = topic(prefix + ".sample-requests", SampleRequest.class, serdeConfigs, Map.of());
        this.images = topic(prefix + ".generated-images", GeneratedImage.class, serdeConfigs, Map.of());
        this.modelVersions = topic(prefix + ".model-versions", ModelVersion.class, serdeConfigs, Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MODEL_VERSIONS_MAX_BYTES)));
        this.modelPromotions = topic(prefix + ".model-promotions", ModelPromotion.class, serdeConfigs, Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        this.failures = topic(prefix + ".sample-failures", SampleFailure.class, serdeConfigs, Map.of());
    }

    /** The topics for these connection settings, with one registry client shared by their serdes. */
    public static Topics of(ConnectionSettings settings) {
        Map<String, Object> config = settings.clientConfig();
        return new Topics(settings.topicPrefix(), new SchemaRegistryClient(RegistryClientConfig.from(config)), config);
    }

    public List<Topic<?, ?>> all() {
        return List.of(requests, images, modelVersions, modelPromotions, failures);
    }

    /**
     * Registers every topic's value schema under {@code <topic>-value}, and the key schema under
     * {@code <topic>-key} when keys are Avro, as the serializers would on the first record: so a
     * Confluent client that looks the contracts up (or runs with {@code auto.register.schemas=false})
     * finds them before anyone has written. Registering a schema again changes nothing.
     *
     * @return the subjects, in topic order
     */
    public List<String> registerSchemas() {
        List<String> subjects = new ArrayList<>();
        for (Topic<?, ?> topic : all()) {
            String value = SubjectNames.topicNameStrategy(topic.name(), false);
            registry.register(value, topic.valueSchema());
            subjects.add(value);
            if (avroKeys) {
                String key = SubjectNames.topicNameStrategy(topic.name(), true);
                registry.register(key, KeySerde.STRING);
                subjects.add(key);
            }
        }
        return subjects;
    }

    /** The registry client the serdes share. */
    public SchemaRegistryClient registry() {
        return registry;
    }

    private <V extends SpecificRecord> Topic<String, V> topic(
            String name, Class<V> type, Map<String, ?> serdeConfigs, Map<String, String> config) {
        return new Topic<>(name, KeySerde.of(registry, serdeConfigs), AvroSerde.specific(type, registry, serdeConfigs, false),
                SpecificData.get().getSchema(type), config);
    }
}
