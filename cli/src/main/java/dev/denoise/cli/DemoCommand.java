package dev.denoise.cli;

import dev.denoise.localstack.LocalStack;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code denoise demo}: the system end to end on the embedded stack. Until the trainer and the
 * sampler land it shows the foundation: a real broker and registry, the topics, and a SampleRequest
 * travelling through Kafka on the Confluent wire format and back.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start the local stack, send a request through Kafka and read it back, stop what it started.")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    StackCommand.PortOptions ports = new StackCommand.PortOptions();

    @Option(names = "--keep-stack", description = "Leave the stack running afterwards.")
    boolean keepStack;

    @Override
    public Integer call() throws Exception {
        LocalStack stack = ports.stack();
        boolean wasRunning = stack.status().stream().allMatch(LocalStack.ServiceStatus::answering);
        step("starting the local stack (Kafka KRaft broker + Apicurio schema registry)");
        StackEndpoints endpoints = stack.up(System.out);
        try {
            ConnectionSettings settings = ConnectionSettings.of(endpoints.bootstrapServers(), endpoints.schemaRegistryUrl(),
                    ConnectionSettings.fromEnvironment().topicPrefix());
            step("creating topics");
            TopicsCommand.create(settings, 4);
            roundTrip(settings);
        } finally {
            if (!wasRunning && !keepStack) {
                step("stopping what the demo started");
                stack.down();
            }
        }
        return 0;
    }

    private static void roundTrip(ConnectionSettings settings) {
        Topics topics = Topics.of(settings);
        SampleRequest request = SampleRequest.newBuilder()
                .setRequestId(UUID.randomUUID().toString())
                .setSeeds(LongStream.range(0, 64).boxed().toList())
                .setSteps(40)
                .setRequestedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .build();
        step("producing a SampleRequest for 64 seeds at 40 steps to " + topics.requests.name());
        RecordMetadata sent;
        try (KafkaProducer<String, SampleRequest> producer = new KafkaProducer<>(settings.clientConfig(),
                topics.requests.keySerde().serializer(), topics.requests.valueSerde().serializer())) {
            sent = producer.send(new ProducerRecord<>(topics.requests.name(), request.getRequestId(), request)).get();
        } catch (Exception e) {
            throw new IllegalStateException("Producing to " + settings.bootstrapServers() + " failed: " + DenoiseCli.describe(e), e);
        }

        step("reading it back from partition " + sent.partition() + " offset " + sent.offset());
        byte[] raw = readAt(settings, new TopicPartition(sent.topic(), sent.partition()), sent.offset());
        SampleRequest read = topics.requests.valueSerde().deserializer().deserialize(sent.topic(), raw);
        System.out.printf("  wire format: magic byte %d, schema id %d, %d bytes of Avro%n",
                raw[0], ByteBuffer.wrap(raw, 1, 4).getInt(), raw.length - 5);
        System.out.printf("  request %s: %d seeds, %d steps, sampler %s, model %s%n", read.getRequestId(),
                read.getSeeds().size(), read.getSteps(), read.getSampler(), read.getModel());
        if (!read.equals(request)) {
            throw new IllegalStateException("The request read back differs from the one sent");
        }
        step("round trip OK: what was sent is what came back");
    }

    private static byte[] readAt(ConnectionSettings settings, TopicPartition partition, long offset) {
        Map<String, Object> config = new HashMap<>(settings.clientConfig());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, offset);
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() == offset) {
                        return record.value();
                    }
                }
            }
        }
        throw new IllegalStateException("The request did not come back within 30 s");
    }

    private static void step(String message) {
        System.out.println("==> " + message);
    }
}
