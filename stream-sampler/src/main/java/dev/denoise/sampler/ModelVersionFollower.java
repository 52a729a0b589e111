package dev.denoise.sampler;

import dev.denoise.schemas.FailureReason;
import dev.denoise.schemas.ModelCatalogue;
import dev.denoise.schemas.ModelPromotion;
import dev.denoise.schemas.ModelVersion;
import dev.denoise.schemas.SampleFailure;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the model catalogue (versions and promotions, {@link ModelCatalogue}) from its beginning
 * on its own thread, off the processing path: every instance loads every version (no consumer
 * group), checks and warms it up in the registry, and reports a refused version on the failures
 * topic while the previous version keeps serving. {@link #start} returns once the catalogue has
 * been read to its end, so a sampler serves no request on a version a later record replaces.
 */
final class ModelVersionFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelVersionFollower.class);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(60);

    private final ConnectionSettings connection;
    private final KafkaConsumer<String, SpecificRecord> consumer;
    private final KafkaProducer<String, SampleFailure> failures;
    private final Topics topics;
    private final ModelRegistry registry;
    private final Thread thread;
    private volatile boolean running = true;

    ModelVersionFollower(ConnectionSettings connection, Topics topics, ModelRegistry registry) {
        this.connection = connection;
        this.topics = topics;
        this.registry = registry;
        this.consumer = ModelCatalogue.openConsumer(connection, topics);
        this.failures = new KafkaProducer<>(connection.clientConfig(), topics.failures.keySerde().serializer(),
                topics.failures.valueSerde().serializer());
        this.thread = new Thread(this::run, "model-version-follower");
        this.thread.setDaemon(true);
    }

    /** Reads the catalogue to its end, installing what it holds, then follows it on the follower's thread. */
    void start() {
        if (!ModelCatalogue.readToEnd(consumer, CATCH_UP_TIMEOUT, this::take)) {
            LOG.warn("The model catalogue was not read to its end within {} s; following it from here",
                    CATCH_UP_TIMEOUT.toSeconds());
        }
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                consumer.poll(Duration.ofMillis(250)).forEach(record -> take(record.value()));
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("Model-version follower stopped: {}", e.toString(), e);
        }
    }

    private void take(SpecificRecord record) {
        if (record instanceof ModelVersion version) {
            install(version);
        } else if (record instanceof ModelPromotion promotion) {
            promote(promotion);
        }
    }

    private boolean install(ModelVersion version) {
        try {
            registry.install(version).heldBecause().ifPresent(why -> report(FailureReason.QUALITY_HELD, why));
            return true;
        } catch (ModelRegistry.RejectedVersion e) {
            LOG.warn("{}; still serving {}", e.getMessage(), registry.latestVersions());
            report(FailureReason.MODEL_REJECTED, e.getMessage());
            return false;
        }
    }

    /** A promoted version no longer loaded (beyond the bound) is read back from the catalogue and loaded first. */
    private void promote(ModelPromotion promotion) {
        String model = promotion.getModel();
        int version = promotion.getVersion();
        if (!registry.loadedVersions(model).contains(version)) {
            Optional<ModelVersion> record = ModelCatalogue.read(connection).version(model, version);
            if (record.isEmpty()) {
                report(FailureReason.MODEL_REJECTED, "Promotion of " + model + " v" + version + " ignored: no such version on "
                        + topics.modelVersions.name());
                return;
            }
            if (!install(record.get())) {
                return;
            }
        }
        registry.promote(promotion);
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
