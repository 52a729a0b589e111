package dev.denoise.sampler;

import static dev.denoise.sampler.SamplerFixtures.trainedModel;
import static dev.denoise.sampler.SamplerFixtures.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.testsupport.Await;
import dev.denoise.testsupport.KafkaStackTest;
import dev.denoise.trainer.ModelVersionPublisher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two samplers, each in its own JVM, share the requests' 6 partitions as one group; one is
 * killed with SIGKILL mid-load, and once the survivor serves its partitions a third joins. A
 * read_committed consumer must see every image exactly once. It also prints the failover time:
 * from the kill to the first image of every partition that still had work, which the session
 * timeout and the standby stores govern.
 */
@KafkaStackTest
class FailoverIntegrationTest {
    private static final int PARTITIONS = 6;
    private static final int REQUESTS_PER_PARTITION = 4;
    private static final int SEEDS_PER_REQUEST = 100;
    private static final int SEEDS = PARTITIONS * REQUESTS_PER_PARTITION * SEEDS_PER_REQUEST;

    @Test
    void aKilledInstancesPartitionsMoveAndNothingIsLostOrDuplicated(StackEndpoints stack, @TempDir Path temp)
            throws Exception {
        ConnectionSettings connection = SamplerFixtures.freshTopics(stack, "failover", PARTITIONS);
        Topics topics = Topics.of(connection);
        new ModelVersionPublisher(connection).publish(trainedModel(weights(1)));
        String applicationId = "failover-" + UUID.randomUUID();
        List<Process> samplers = new ArrayList<>();
        Map<Integer, Long> firstAfterKill = new TreeMap<>();
        Map<Integer, Integer> pendingAtKill = new TreeMap<>();
        List<ConsumerRecord<String, GeneratedImage>> images = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()));
             KafkaConsumer<String, GeneratedImage> consumer = TopicReader.committedConsumer(connection, topics.images)) {
            for (String name : List.of("a", "b")) {
                samplers.add(SamplerFixtures.startProcess(stack, connection, applicationId, temp.resolve(name),
                        temp.resolve(name + ".log")));
            }
            Await.until("two members sharing the partitions", () -> members(admin, applicationId) == 2);
            produce(connection, topics);

            Await.until("images from every partition", () -> {
                poll(consumer, images);
                return images.stream().map(ConsumerRecord::partition).distinct().count() == PARTITIONS
                        && images.size() >= SEEDS / 10;
            });
            assertThat(images.size()).as("images before the kill: the load must still be running").isLessThan(SEEDS);
            for (int p = 0; p < PARTITIONS; p++) {
                int partition = p;
                pendingAtKill.put(p, REQUESTS_PER_PARTITION * SEEDS_PER_REQUEST
                        - (int) images.stream().filter(r -> r.partition() == partition).count());
            }
            samplers.get(1).destroyForcibly().waitFor(); // SIGKILL: no goodbye, its partitions wait for the session timeout
            long killedAt = System.currentTimeMillis();
            Await.until("an image after the kill from every partition with work left", () -> {
                for (ConsumerRecord<String, GeneratedImage> record : poll(consumer, images)) {
                    firstAfterKill.putIfAbsent(record.partition(), System.currentTimeMillis() - killedAt);
                }
                return pendingAtKill.entrySet().stream()
                        .allMatch(e -> e.getValue() == 0 || firstAfterKill.containsKey(e.getKey()));
            });
            // A third instance joins while the survivor works: the partitions move again.
            samplers.add(SamplerFixtures.startProcess(stack, connection, applicationId, temp.resolve("c"),
                    temp.resolve("c.log")));
            Await.until("every image", () -> {
                poll(consumer, images);
                return distinct(images) == SEEDS;
            });
            long quiet = System.currentTimeMillis() + 3_000; // a duplicate would show up now
            while (System.currentTimeMillis() < quiet) {
                poll(consumer, images);
            }
        } finally {
            for (Process sampler : samplers) {
                sampler.destroy();
                sampler.waitFor();
            }
        }

        assertThat(distinct(images)).as("distinct (request, index) (logs in %s)", temp).isEqualTo(SEEDS);
        assertThat(images).as("no duplicates").hasSize(SEEDS);
        long failover = pendingAtKill.entrySet().stream().filter(e -> e.getValue() > 0)
                .mapToLong(e -> firstAfterKill.getOrDefault(e.getKey(), -1L)).max().orElse(-1);
        System.out.printf("failover: %d ms from the kill to the first image of every partition with work left "
                + "(first image after the kill by partition, ms: %s; seeds left at the kill: %s)%n",
                failover, firstAfterKill, pendingAtKill);
    }

    /** Members of the group now; 0 before its first member joined. */
    private static int members(Admin admin, String group) throws Exception {
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            return description == null ? 0 : description.members().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return 0;
            }
            throw e;
        }
    }

    /** Requests keyed so that each partition gets the same number (Kafka's default partitioner: murmur2 of the key). */
    private static void produce(ConnectionSettings connection, Topics topics) throws Exception {
        Map<Integer, Integer> perPartition = new HashMap<>();
        try (KafkaProducer<String, SampleRequest> producer = new KafkaProducer<>(connection.clientConfig(),
                topics.requests.keySerde().serializer(), topics.requests.valueSerde().serializer())) {
            long from = 0;
            for (int i = 0; from < SEEDS; i++) {
                String id = "failover-" + i;
                int partition = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
                if (perPartition.merge(partition, 1, Integer::sum) > REQUESTS_PER_PARTITION) {
                    continue;
                }
                SampleRequest request = SampleRequest.newBuilder().setRequestId(id)
                        .setSeeds(LongStream.range(from, from + SEEDS_PER_REQUEST).boxed().toList())
                        .setSteps(20).setRequestedAt(Instant.now()).build();
                producer.send(new ProducerRecord<>(topics.requests.name(), id, request));
                from += SEEDS_PER_REQUEST;
            }
            producer.flush();
        }
    }

    /** Adds what one poll returns to {@code images} and returns it. */
    private static List<ConsumerRecord<String, GeneratedImage>> poll(KafkaConsumer<String, GeneratedImage> consumer,
                                                                    List<ConsumerRecord<String, GeneratedImage>> images) {
        List<ConsumerRecord<String, GeneratedImage>> polled = new ArrayList<>();
        consumer.poll(Duration.ofMillis(100)).forEach(polled::add);
        images.addAll(polled);
        return polled;
    }

    private static int distinct(List<ConsumerRecord<String, GeneratedImage>> images) {
        Set<String> seen = new HashSet<>();
        images.forEach(r -> seen.add(r.value().getRequestId() + "#" + r.value().getIndex()));
        return seen.size();
    }
}
