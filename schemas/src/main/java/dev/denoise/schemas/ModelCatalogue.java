package dev.denoise.schemas;

import dev.denoise.schemas.config.ConnectionSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The models as their two compacted topics hold them: every published version (keyed by model and
 * version, so compaction keeps them all) and each model's newest promotion (keyed by model). The
 * one way the trainer, the samplers and the commands read them: {@link #read} for a snapshot,
 * {@link #openConsumer} to follow both topics as they grow.
 */
public final class ModelCatalogue {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

    private final Map<String, NavigableMap<Integer, ModelVersion>> versions = new TreeMap<>();
    private final Map<String, ModelPromotion> promotions = new TreeMap<>();

    /** The key of a version record: every version of a model has its own, so compaction keeps every version. */
    public static String key(String model, int version) {
        return model + "/" + version;
    }

    /** Both topics read to their end, committed records only. */
    public static ModelCatalogue read(ConnectionSettings settings) {
        Topics topics = Topics.of(settings);
        ModelCatalogue catalogue = new ModelCatalogue();
        try (KafkaConsumer<String, SpecificRecord> consumer = openConsumer(settings, topics)) {
            if (!readToEnd(consumer, READ_TIMEOUT, catalogue::add)) {
                throw new IllegalStateException("Could not read " + topics.modelVersions.name() + " and "
                        + topics.modelPromotions.name() + " to their end within " + READ_TIMEOUT.toSeconds() + " s");
            }
        }
        return catalogue;
    }

    /**
     * Polls {@code consumer} (from {@link #openConsumer}) until it has read every record that was on
     * both topics when called, handing each value to {@code take}; false if {@code timeout} passed first.
     */
    public static boolean readToEnd(KafkaConsumer<String, SpecificRecord> consumer, Duration timeout,
                                    Consumer<SpecificRecord> take) {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            for (ConsumerRecord<String, SpecificRecord> record : consumer.poll(Duration.ofMillis(200))) {
                take.accept(record.value());
            }
        }
        return true;
    }

    /**
     * A consumer assigned every partition of both topics at their beginning, reading committed
     * records only, outside any group; its values are {@link ModelVersion}s and {@link ModelPromotion}s
     * (null for a tombstone).
     */
    public static KafkaConsumer<String, SpecificRecord> openConsumer(ConnectionSettings settings, Topics topics) {
        Map<String, Object> config = new HashMap<>(settings.clientConfig());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(config,
                topics.modelVersions.keySerde().deserializer(), byTopic(topics));
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (Topics.Topic<?, ?> topic : List.of(topics.modelVersions, topics.modelPromotions)) {
                partitions.addAll(TopicPartitions.of(consumer, topic.name(), settings.bootstrapServers(), READ_TIMEOUT));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            return consumer;
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    /** Takes a record of either topic; a tombstone (null) changes nothing. */
    public void add(SpecificRecord record) {
        if (record instanceof ModelVersion version) {
            versions.computeIfAbsent(version.getModel(), m -> new TreeMap<>()).put(version.getVersion(), version);
        } else if (record instanceof ModelPromotion promotion) {
            ModelPromotion newest = promotions.get(promotion.getModel());
            if (newest == null || !promotion.getPromotedAt().isBefore(newest.getPromotedAt())) {
                promotions.put(promotion.getModel(), promotion);
            }
        }
    }

    public Set<String> models() {
        return versions.keySet();
    }

    /** Every version, by model name and then version number. */
    public List<ModelVersion> versions() {
        return versions.values().stream().flatMap(byNumber -> byNumber.values().stream()).toList();
    }

    public Optional<ModelVersion> version(String model, int version) {
        return Optional.ofNullable(versions.getOrDefault(model, new TreeMap<>()).get(version));
    }

    /** The version numbers of {@code model}, ascending. */
    public Set<Integer> versionNumbers(String model) {
        return versions.getOrDefault(model, new TreeMap<>()).navigableKeySet();
    }

    /** The newest version of {@code model} whose weights have this SHA-256, if any has. */
    public Optional<ModelVersion> versionWithWeights(String model, String weightsSha256) {
        return versions.getOrDefault(model, new TreeMap<>()).descendingMap().values().stream()
                .filter(v -> v.getWeightsSha256().equals(weightsSha256))
                .findFirst();
    }

    /** The highest version number of {@code model}, 0 if it has none. */
    public int highestVersion(String model) {
        NavigableMap<Integer, ModelVersion> byNumber = versions.get(model);
        return byNumber == null ? 0 : byNumber.lastKey();
    }

    /** The newest promotion of {@code model}, if it has been promoted. */
    public Optional<ModelPromotion> promotion(String model) {
        return Optional.ofNullable(promotions.get(model));
    }

    public Stream<ModelPromotion> promotions() {
        return promotions.values().stream();
    }

    /** Reads a value with the serde of the topic it came from. */
    private static Deserializer<SpecificRecord> byTopic(Topics topics) {
        Deserializer<ModelVersion> versions = topics.modelVersions.valueSerde().deserializer();
        Deserializer<ModelPromotion> promotions = topics.modelPromotions.valueSerde().deserializer();
        return (topic, data) -> topic.equals(topics.modelVersions.name()) ? versions.deserialize(topic, data)
                : promotions.deserialize(topic, data);
    }
}
