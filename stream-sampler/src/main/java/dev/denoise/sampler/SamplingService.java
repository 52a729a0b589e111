package dev.denoise.sampler;

import dev.denoise.diffusion.ComputeDevice;
import dev.denoise.diffusion.ComputeThread;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream-sampler service: a model registry fed by the model-versions topic, and the Kafka
 * Streams application that turns requests into images with exactly-once processing.
 */
public final class SamplingService implements AutoCloseable {
    /** Longest a graceful stop waits for the seeds in slots to be emitted. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(25);
    private static final Logger LOG = LoggerFactory.getLogger(SamplingService.class);

    private final ComputeThread compute;
    private final ContinuousBatcher batcher;
    private final ModelRegistry registry;
    private final ModelVersionFollower follower;
    private final KafkaStreams streams;
    private final BrokerProbe brokers;
    private final HealthServer http;
    /** Whether the compute thread is this service's own, closed with it, or its starter's. */
    private final boolean ownsCompute;

    private SamplingService(ComputeThread compute, boolean ownsCompute, ContinuousBatcher batcher, ModelRegistry registry,
                            ModelVersionFollower follower, KafkaStreams streams, BrokerProbe brokers, HealthServer http) {
        this.compute = compute;
        this.ownsCompute = ownsCompute;
        this.brokers = brokers;
        this.batcher = batcher;
        this.registry = registry;
        this.follower = follower;
        this.streams = streams;
        this.http = http;
    }

    /** Starts the service with a compute thread of its own. */
    public static SamplingService start(ConnectionSettings connection, ServiceSettings settings) throws IOException {
        return start(connection, settings, new ComputeThread("denoise-compute"), true);
    }

    /**
     * Starts the service on {@code compute}, the process's one thread for model work, which the
     * caller shares (to run model work of its own beside the service) and closes after the service.
     */
    public static SamplingService start(ConnectionSettings connection, ServiceSettings settings, ComputeThread compute)
            throws IOException {
        return start(connection, settings, compute, false);
    }

    private static SamplingService start(ConnectionSettings connection, ServiceSettings settings, ComputeThread compute,
                                         boolean ownsCompute) throws IOException {
        Topics topics = Topics.of(connection);
        ServiceMetrics metrics = new ServiceMetrics();
        ModelRegistry registry = new ModelRegistry(ComputeDevice.choose(), compute, settings.maxLoadedVersions(),
                settings.qualityTolerance(), new WeightsArtifacts(Path.of(settings.weightsCache()), settings.weightsFetchTimeout()));
        ContinuousBatcher batcher = new ContinuousBatcher(compute, registry, settings, metrics);
        ModelVersionFollower follower = new ModelVersionFollower(connection, topics, registry);
        follower.start();
        Properties config = streamsConfig(connection, settings);
        KafkaStreams streams = new KafkaStreams(SamplingTopology.build(topics, settings, config, registry, batcher, metrics),
                config);
        streams.start();
        BrokerProbe brokers = new BrokerProbe(connection);
        HealthServer http = new HealthServer(settings.httpPort(), () -> ready(streams, registry, brokers),
                () -> metrics.render(registry.latestVersions()));
        return new SamplingService(compute, ownsCompute, batcher, registry, follower, streams, brokers, http);
    }

    /** The port of /health, /ready and /metrics. */
    public int httpPort() {
        return http.port();
    }

    static Properties streamsConfig(ConnectionSettings connection, ServiceSettings settings) {
        Properties props = new Properties();
        props.putAll(connection.clientConfig());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir());
        // The stream thread comes back at least this often without new requests, to emit what the
        // compute thread finished.
        props.put(StreamsConfig.POLL_MS_CONFIG, settings.maxWait().toMillis());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true); // Kafka 5.0's default
        // The partition assignor reads its config from the main consumer's settings, which carry
        // the consumer-prefixed keys only: without this copy it warns that the handler is off.
        props.put(StreamsConfig.consumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG), true);
        // Fast failover, unless the client settings say otherwise (DENOISE_KAFKA_*): a killed
        // instance is noticed after the brokers' minimum session timeout instead of Kafka's 45 s
        // (heartbeats run on their own thread, so long iterations do not trip it), and a standby
        // copy of each task's pending store on another instance lets that one resume the seeds
        // without restoring the changelog first.
        consumerDefault(props, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
        consumerDefault(props, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1500);
        props.putIfAbsent(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
        return props;
    }

    /** Sets a consumer setting unless the client settings have it, plain or with Streams' consumer prefix. */
    private static void consumerDefault(Properties props, String key, Object value) {
        if (!props.containsKey(key) && !props.containsKey(StreamsConfig.consumerPrefix(key))) {
            props.put(key, value);
        }
    }

    /** Streams is running, the brokers answer, and at least one model version is loaded. */
    public boolean ready() {
        return ready(streams, registry, brokers);
    }

    private static boolean ready(KafkaStreams streams, ModelRegistry registry, BrokerProbe brokers) {
        return streams.state() == KafkaStreams.State.RUNNING && brokers.reachable() && !registry.isEmpty();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public ModelRegistry registry() {
        return registry;
    }

    /**
     * Gives no seed a new slot, waits (up to 25 s) until the seeds in slots are emitted, then
     * stops Streams, which commits them; seeds not yet in a slot stay pending in the store
     * for the next instance. Then frees the models.
     */
    @Override
    public void close() {
        batcher.stopAdmitting(); // before anything observable changes: a stop that has begun starts no seed
        http.close();
        if (streams.state().isRunningOrRebalancing()) {
            try {
                if (!batcher.drain(DRAIN_TIMEOUT)) {
                    LOG.warn("Seeds still sampling after {} s; they stay pending for the next instance",
                            DRAIN_TIMEOUT.toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Leave the group on a graceful stop, so a replacement takes over the partitions at once
        // instead of after the session timeout.
        if (!streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP))) {
            LOG.warn("Kafka Streams did not stop within 30 s; what it did not commit is sampled again by the next instance");
        }
        follower.close();
        brokers.close();
        if (ownsCompute) {
            compute.close();
        }
        registry.close();
    }
}
