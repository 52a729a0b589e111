package dev.denoise.sampler;

import dev.denoise.diffusion.ModelFamilies;
import dev.denoise.schemas.Topics;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.state.Stores;

/**
 * requests ──► sampler (pending store) ──► images
 *                  │    ▲             └──► failures (dead letters)
 *                  ▼    │
 *             continuous batcher (compute thread)
 *
 * <p>Requests are read as raw bytes and decoded inside the processor, so an undecodable record
 * becomes a failure record with its original bytes instead of stopping the application.
 */
public final class SamplingTopology {
    static final String PENDING_STORE = "pending-seeds";
    static final String IMAGES_SINK = "images";
    static final String FAILURES_SINK = "failures";

    private SamplingTopology() {}

    @SuppressWarnings({"unchecked", "rawtypes"}) // one processor forwards two value types to two typed sinks
    static Topology build(Topics topics, ServiceSettings settings, Properties streamsConfig, ModelRegistry registry,
                          ContinuousBatcher batcher, ServiceMetrics metrics) {
        // With the application's config: a topology made with the defaults warns that they differ.
        Topology topology = new Topology(new TopologyConfig(new StreamsConfig(streamsConfig)));
        // Keys through the topics' key serde (string or Avro, DENOISE_KEY_FORMAT); request values as
        // bytes, decoded by the intake so that a bad one becomes a failure record.
        topology.addSource("requests", topics.requests.keySerde().deserializer(), Serdes.ByteArray().deserializer(),
                topics.requests.name());
        SamplingProcessor.Names names = new SamplingProcessor.Names(PENDING_STORE, IMAGES_SINK, FAILURES_SINK);
        topology.addProcessor("sampler", () -> new SamplingProcessor(new RequestIntake(
                topics.requests.valueSerde().deserializer(), new RequestValidation(settings, ModelFamilies.samplers().keySet()),
                registry), batcher, metrics, settings.maxWait(), names), "requests");
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(PENDING_STORE), Serdes.String(), PendingSeed.serde()), "sampler");
        topology.addSink(IMAGES_SINK, topics.images.name(), topics.images.keySerde().serializer(),
                (Serializer) topics.images.valueSerde().serializer(), "sampler");
        topology.addSink(FAILURES_SINK, topics.failures.name(), topics.failures.keySerde().serializer(),
                (Serializer) topics.failures.valueSerde().serializer(), "sampler");
        return topology;
    }
}
