package dev.denoise.sampler;

import static dev.denoise.sampler.SamplerFixtures.trainedModel;
import static dev.denoise.sampler.SamplerFixtures.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.localstack.StackEndpoints;
import dev.denoise.localstack.junit.KafkaStackExtension;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.trainer.ModelVersionPublisher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A graceful stop emits and commits the batch being sampled instead of leaving it to the next instance. */
@ExtendWith(KafkaStackExtension.class)
class GracefulStopIntegrationTest {

    @Test
    void closingWhileABatchSamplesStillEmitsItsImages(StackEndpoints stack) throws Exception {
        ConnectionSettings connection = SamplerFixtures.freshTopics(stack, "stop", 1);
        Topics topics = Topics.of(connection);
        new ModelVersionPublisher(connection).publish(trainedModel(weights(1)));
        SamplerSettings settings = SamplerFixtures.settings("stop");
        SampleRequest slow = SampleRequest.newBuilder().setRequestId(UUID.randomUUID().toString())
                .setSeeds(LongStream.range(0, 64).boxed().toList()).setSteps(100).setRequestedAt(Instant.now()).build();

        try (StreamSampler sampler = StreamSampler.start(connection, settings)) {
            long deadline = System.currentTimeMillis() + 60_000;
            while (!sampler.ready() && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            try (KafkaProducer<String, SampleRequest> producer = new KafkaProducer<>(connection.clientConfig(),
                    topics.requests.keySerde().serializer(), topics.requests.valueSerde().serializer())) {
                producer.send(new ProducerRecord<>(topics.requests.name(), slow.getRequestId(), slow)).get();
            }
            while (pendingSeeds(sampler) == 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20); // until the request is accepted; its batch then starts at once
            }
            assertThat(pendingSeeds(sampler)).as("request accepted").isEqualTo(64);
        } // closes while the batch of 64 x 100 steps samples

        List<GeneratedImage> images = TopicReader.read(connection, topics.images,
                image -> image.getRequestId().equals(slow.getRequestId()), 64);
        assertThat(images).as("images of the batch that was sampling when the sampler stopped").hasSize(64);
    }

    private static long pendingSeeds(StreamSampler sampler) throws Exception {
        String metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sampler.httpPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(l -> l.startsWith("denoise_pending_seeds "))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(' ') + 1).trim())).findFirst().orElse(-1);
    }
}
