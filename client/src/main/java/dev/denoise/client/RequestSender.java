package dev.denoise.client;

import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Sends sample requests to the requests topic, keyed by request id, with one producer. A broker
 * that cannot be reached fails a send within 30 s with the address it tried, not a long hang
 * (unless the client settings set the producer's timeouts).
 */
public final class RequestSender implements AutoCloseable {
    private final ConnectionSettings settings;
    private final Topics topics;
    private final KafkaProducer<String, SampleRequest> producer;

    public RequestSender(ConnectionSettings settings) {
        this.settings = settings;
        this.topics = Topics.of(settings);
        Map<String, Object> config = new HashMap<>(settings.clientConfig());
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000); // unless the client settings say otherwise
        config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        producer = new KafkaProducer<>(config, topics.requests.keySerde().serializer(),
                topics.requests.valueSerde().serializer());
    }

    /** Queues {@code request}; it may wait in the producer's buffer until {@link #flush()}. */
    public Future<RecordMetadata> send(SampleRequest request) {
        return producer.send(new ProducerRecord<>(topics.requests.name(), request.getRequestId(), request));
    }

    /** Sends {@code request} and returns once the broker has it, or fails with the reason. */
    public void sendAndConfirm(SampleRequest request) throws InterruptedException {
        try {
            send(request).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException) {
                // The producer cannot tell an unreachable broker from a missing topic: both leave it without metadata.
                throw new IllegalStateException("Kafka at " + settings.bootstrapServers() + " did not answer, or has no topic "
                        + topics.requests.name() + " (`denoise topics create` makes it): " + e.getCause().getMessage(),
                        e.getCause());
            }
            throw new IllegalStateException("Sending the request to " + settings.bootstrapServers() + " failed: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
