package dev.denoise.sampler;

import static dev.denoise.sampler.SamplerFixtures.trainedModel;
import static dev.denoise.sampler.SamplerFixtures.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.denoise.localstack.FreePorts;
import dev.denoise.localstack.LocalStack;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.TopicProvisioner;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.testsupport.Await;
import dev.denoise.testsupport.KafkaStackTest;
import dev.denoise.trainer.ModelVersionPublisher;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The brokers' own faults, on clusters of real {@code kafka.Kafka} processes that each test starts
 * ({@link LocalStack} in a folder of its own), under a load of requests: a read_committed consumer
 * must see every image exactly once.
 */
@Tag(KafkaStackTest.TAG)
class BrokerFaultIntegrationTest {
    private static final Path TOOLS = Path.of(System.getProperty("denoise.home", "..")).resolve(".denoise/tools");
    private static final int REQUESTS = 60;
    private static final int SEEDS_PER_REQUEST = 20;
    private static final int STEPS = 8;
    private static final int PARTITIONS = 2;

    @TempDir
    Path home;
    private LocalStack stack;

    @AfterEach
    void stopTheStack() throws Exception {
        if (stack != null) {
            stack.down();
        }
    }

    @Test
    void theLeaderOfTheRequestsKilledUnderLoadLosesAndDuplicatesNothing() throws Exception {
        ConnectionSettings connection = start(3);
        Topics topics = Topics.of(connection);
        assertThat(stack.status()).extracting(LocalStack.ServiceStatus::name, LocalStack.ServiceStatus::answering)
                .containsExactly(tuple("kafka", true), tuple("kafka-2", true), tuple("kafka-3", true), tuple("registry", true));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.endpoints().bootstrapServers()))) {
            for (Topics.Topic<?, ?> topic : topics.all()) {
                assertThat(describe(admin, topic.name()).partitions()).as(topic.name())
                        .allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            }
            ServiceSettings settings = SamplerFixtures.settings("leader-kill");
            try (SamplingService sampler = SamplingService.start(connection, settings);
                 KafkaConsumer<String, GeneratedImage> images = TopicReader.committedConsumer(connection, topics.images)) {
                Await.until("the sampler ready", sampler::ready);
                List<String> internal = admin.listTopics().names().get().stream()
                        .filter(name -> name.startsWith(settings.applicationId())).toList();
                assertThat(internal).as("Streams' changelog").isNotEmpty();
                for (String topic : internal) {
                    assertThat(describe(admin, topic).partitions()).as(topic)
                            .allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
                    assertThat(admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic))).all().get()
                            .values().iterator().next().get("min.insync.replicas").value()).as(topic).isEqualTo("2");
                }
                List<ConsumerRecord<String, GeneratedImage>> received = new ArrayList<>();
                send(connection, topics, 0, REQUESTS / 2);
                Await.until("the first images", () -> poll(images, received) > 0);

                TopicPartitionInfo partition = describe(admin, topics.requests.name()).partitions().get(0);
                Instant kill = Instant.now();
                assertThat(stack.killBroker(partition.leader().id() - 1)).as("the leader was running").isTrue();
                send(connection, topics, REQUESTS / 2, REQUESTS);

                awaitEveryImage(images, received, kill, "node " + partition.leader().id() + " killed");
            }
        }
    }

    @Test
    void theSingleBrokerRestartedUnderLoadIsRecoveredFromWithoutHelp() throws Exception {
        ConnectionSettings connection = start(1);
        Topics topics = Topics.of(connection);
        try (SamplingService sampler = SamplingService.start(connection, SamplerFixtures.settings("restart"));
             KafkaConsumer<String, GeneratedImage> images = TopicReader.committedConsumer(connection, topics.images)) {
            Await.until("/ready", () -> ready(sampler));
            List<ConsumerRecord<String, GeneratedImage>> received = new ArrayList<>();
            send(connection, topics, 0, REQUESTS / 2);
            Await.until("the first images", () -> poll(images, received) > 0);

            Instant stop = Instant.now();
            assertThat(stack.stopBroker(0)).as("the broker was running").isTrue();
            Await.until("/ready false while the broker is down", () -> !ready(sampler));
            stack.startBroker(0);
            Await.until("/ready again", () -> ready(sampler));
            send(connection, topics, REQUESTS / 2, REQUESTS);

            awaitEveryImage(images, received, stop, "the broker stopped and started");
        }
    }

    /** A stack of {@code brokers} nodes on free ports, its topics, and a model version published. */
    private ConnectionSettings start(int brokers) throws Exception {
        int kafkaPorts = FreePorts.findBlock(2 * brokers);
        stack = new LocalStack(home, new LocalStack.Ports(kafkaPorts, kafkaPorts + 1, FreePorts.find()), TOOLS, brokers, false);
        StackEndpoints endpoints = stack.up(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        ConnectionSettings connection = ConnectionSettings.of(endpoints.bootstrapServers(), endpoints.schemaRegistryUrl(),
                "faults-" + UUID.randomUUID());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", endpoints.bootstrapServers()))) {
            TopicProvisioner.ensureTopics(admin, Topics.of(connection), PARTITIONS, Optional.empty());
        }
        new ModelVersionPublisher(connection).publish(trainedModel(weights(1)));
        return connection;
    }

    /**
     * Requests {@code from} to {@code to} (of {@link #REQUESTS}) of {@link #SEEDS_PER_REQUEST} seeds
     * at {@link #STEPS} steps, at once. The tests send half before the fault and half after it, so
     * the sampler has work before the fault and, whatever its speed, work after it.
     */
    private static void send(ConnectionSettings connection, Topics topics, int from, int to) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<String, SampleRequest> producer = new KafkaProducer<>(connection.clientConfig(),
                topics.requests.keySerde().serializer(), topics.requests.valueSerde().serializer())) {
            for (int i = from; i < to; i++) {
                SampleRequest request = SampleRequest.newBuilder().setRequestId("fault-" + i)
                        .setSeeds(LongStream.range((long) i * SEEDS_PER_REQUEST, (long) (i + 1) * SEEDS_PER_REQUEST)
                                .boxed().toList())
                        .setSteps(STEPS).setRequestedAt(Instant.now()).build();
                sent.add(producer.send(new ProducerRecord<>(topics.requests.name(), request.getRequestId(), request)));
            }
        }
        for (Future<RecordMetadata> request : sent) {
            request.get(); // a request the brokers refused fails here, not as a missing image minutes later
        }
    }

    /** Waits for every image, prints when the first image made after {@code fault} arrived, and checks exactly once. */
    private static void awaitEveryImage(KafkaConsumer<String, GeneratedImage> images,
                                        List<ConsumerRecord<String, GeneratedImage>> received, Instant fault, String what)
            throws Exception {
        Instant[] firstAfter = new Instant[1];
        Await.until("every image", () -> {
            int before = received.size();
            poll(images, received);
            if (firstAfter[0] == null && received.subList(before, received.size()).stream()
                    .anyMatch(r -> r.value().getCreatedAt().isAfter(fault))) {
                firstAfter[0] = Instant.now();
            }
            return received.size() >= REQUESTS * SEEDS_PER_REQUEST;
        });
        assertThat(firstAfter[0]).as("an image made after the fault (half the requests were sent after it)").isNotNull();
        System.out.println(what + ": " + String.format(Locale.ROOT, "the first image made after it arrived %.1f s later",
                Duration.between(fault, firstAfter[0]).toMillis() / 1000.0));
        assertExactlyOnce(images, received);
    }

    private static int poll(KafkaConsumer<String, GeneratedImage> consumer, List<ConsumerRecord<String, GeneratedImage>> into) {
        consumer.poll(Duration.ofMillis(200)).forEach(into::add);
        return into.size();
    }

    /** No further image comes within a few polls, and every (request, index) arrived once. */
    private static void assertExactlyOnce(KafkaConsumer<String, GeneratedImage> consumer,
                                          List<ConsumerRecord<String, GeneratedImage>> received) {
        for (int i = 0; i < 10; i++) {
            poll(consumer, received);
        }
        Set<String> keys = new HashSet<>();
        received.forEach(r -> keys.add(r.value().getRequestId() + "/" + r.value().getIndex()));
        assertThat(keys).hasSize(REQUESTS * SEEDS_PER_REQUEST);
        assertThat(received).as("no image twice").hasSize(REQUESTS * SEEDS_PER_REQUEST);
    }

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    }

    private static boolean ready(SamplingService sampler) throws Exception {
        HttpResponse<Void> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + sampler.httpPort() + "/ready")).build(), HttpResponse.BodyHandlers.discarding());
        return response.statusCode() == 200;
    }
}
