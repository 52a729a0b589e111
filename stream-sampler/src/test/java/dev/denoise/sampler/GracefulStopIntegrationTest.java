package dev.denoise.sampler;

import static dev.denoise.sampler.SamplerFixtures.trainedModel;
import static dev.denoise.sampler.SamplerFixtures.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.diffusion.ComputeThread;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.testsupport.Await;
import dev.denoise.testsupport.KafkaStackTest;
import dev.denoise.trainer.ModelVersionPublisher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A graceful stop emits and commits the seeds in slots instead of leaving them to the next
 * instance; the seeds still waiting stay pending, and the next instance samples them: each image
 * exactly once in all.
 */
@KafkaStackTest
class GracefulStopIntegrationTest {

    /**
     * The compute thread is held while the request arrives, then lets exactly one iteration run
     * (8 of its 100 seeds start: more than the free slots, it enters as a pipeline of ⌈64 slots / 8
     * steps⌉ an iteration), then is held again until the stop has begun
     * (the HTTP endpoint is the first thing it closes).
     */
    @Test
    void closingWhileSeedsSampleEmitsThemAndTheNextInstanceTheRest(StackEndpoints stack) throws Exception {
        ConnectionSettings connection = SamplerFixtures.freshTopics(stack, "stop", 1);
        Topics topics = Topics.of(connection);
        new ModelVersionPublisher(connection).publish(trainedModel(weights(1)));
        ServiceSettings settings = SamplerFixtures.settings("stop");
        SampleRequest request = SampleRequest.newBuilder().setRequestId(UUID.randomUUID().toString())
                .setSeeds(LongStream.range(0, 100).boxed().toList()).setSteps(8).setRequestedAt(Instant.now()).build();

        ComputeThread compute = new ComputeThread("stop-compute"); // shared, so the test can hold it
        SamplingService sampler = SamplingService.start(connection, settings, compute);
        CountDownLatch letFirstGo = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        CompletableFuture<Void> closing = null;
        try {
            Await.until("the sampler ready", sampler::ready);
            hold(compute, letFirstGo);
            try (KafkaProducer<String, SampleRequest> producer = new KafkaProducer<>(connection.clientConfig(),
                    topics.requests.keySerde().serializer(), topics.requests.valueSerde().serializer())) {
                producer.send(new ProducerRecord<>(topics.requests.name(), request.getRequestId(), request)).get();
            }
            int port = sampler.httpPort();
            Await.until("the request's 100 seeds accepted", () -> gauge(port, "denoise_pending_seeds") == 100);
            hold(compute, letGo); // behind the batcher's first iteration, which waits behind the first hold
            letFirstGo.countDown();
            Await.until("8 seeds in slots", () -> gauge(port, "denoise_sampling_seeds") == 8);

            closing = CompletableFuture.runAsync(sampler::close);
            Await.until("the stop to begin (HTTP closed)", () -> !answers(port));
            letGo.countDown();
            closing.get(Await.PATIENCE.toMinutes(), TimeUnit.MINUTES);
        } finally {
            letFirstGo.countDown();
            letGo.countDown();
            if (closing == null) {
                sampler.close();
            }
            compute.close();
        }
        List<GeneratedImage> first = TopicReader.read(connection, topics.images,
                image -> image.getRequestId().equals(request.getRequestId()), 8);
        assertThat(first).extracting(GeneratedImage::getIndex).as("the seeds in slots when the sampler stopped")
                .containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);

        try (SamplingService next = SamplingService.start(connection, settings)) {
            List<GeneratedImage> all = TopicReader.read(connection, topics.images,
                    image -> image.getRequestId().equals(request.getRequestId()), 100);
            assertThat(all).extracting(GeneratedImage::getIndex).as("every seed exactly once across the two instances")
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 100).boxed().toList());
        }
    }

    /** Holds the sampler's compute thread, after what is queued there now, until {@code letGo} opens. */
    private static void hold(ComputeThread compute, CountDownLatch letGo) {
        compute.submit(() -> letGo.await(Await.PATIENCE.toMinutes(), TimeUnit.MINUTES));
    }

    private static long gauge(int port, String name) throws Exception {
        String metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(l -> l.startsWith(name + " "))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(' ') + 1).trim())).findFirst().orElse(-1);
    }

    private static boolean answers(int port) {
        try {
            gauge(port, "denoise_sampling_seeds");
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
