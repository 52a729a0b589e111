package dev.denoise.sampler;

import static dev.denoise.sampler.SamplerFixtures.version;
import static dev.denoise.sampler.SamplerFixtures.weights;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.denoise.diffusion.ComputeThread;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.localstack.junit.KafkaStackExtension;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The processor's bookkeeping around the compute thread, driven by Kafka's own mock context (the
 * requests are real Confluent-wire-format records from the test registry).
 */
@ExtendWith(KafkaStackExtension.class)
class SamplingProcessorTest {

    @Test
    void initialisedAgainWhileABatchSamplesItEmitsEachImageOnce(StackEndpoints stack) throws Exception {
        checkEachImageOnce(stack, processor -> {}); // a suspended task resumed: init without close
    }

    @Test
    void closedAndInitialisedAgainWhileABatchSamplesItEmitsEachImageOnce(StackEndpoints stack) throws Exception {
        checkEachImageOnce(stack, SamplingProcessor::close); // a task revived after being closed
    }

    /**
     * A request of 64 seeds becomes a batch on the compute thread; Streams then initialises the
     * processor again (after {@code beforeInit}) while the batch runs. The store still holds the
     * 64 seeds, so they are sampled again, and the first batch's images must not be emitted too.
     */
    private static void checkEachImageOnce(StackEndpoints stack, Consumer<SamplingProcessor> beforeInit) throws Exception {
        Topics topics = Topics.of(ConnectionSettings.of(stack.bootstrapServers(), stack.schemaRegistryUrl(),
                "processor-" + UUID.randomUUID()));
        SampleRequest request = SampleRequest.newBuilder().setRequestId(UUID.randomUUID().toString())
                .setSeeds(LongStream.range(0, 64).boxed().toList()).setSteps(40).setRequestedAt(Instant.now()).build();
        byte[] bytes = topics.requests.valueSerde().serializer().serialize(topics.requests.name(), request);

        try (ComputeThread compute = new ComputeThread("processor-test-compute");
             ModelRegistry registry = new ModelRegistry(Device.cpu(), compute, 3)) {
            registry.install(version(1, weights(1)));
            BatchesInFlight inFlight = new BatchesInFlight();
            SamplerMetrics metrics = new SamplerMetrics();
            SamplingProcessor processor = new SamplingProcessor(topics.requests.valueSerde().deserializer(),
                    SamplerSettings.defaults(), registry, compute, inFlight, SamplerTopology.samplers(), metrics);
            MockProcessorContext<String, Object> context = new MockProcessorContext<>();
            KeyValueStore<String, PendingSeed> store = Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(SamplerTopology.PENDING_STORE), Serdes.String(), PendingSeed.serde())
                    .withLoggingDisabled().build();
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
            context.setRecordMetadata(topics.requests.name(), 0, 0);

            processor.init(context);
            processor.process(new Record<>(request.getRequestId(), bytes, 0L));
            assertThat(compute.backlog()).as("the full batch went to the compute thread").isEqualTo(1);
            beforeInit.accept(processor);
            processor.init(context);

            long deadline = System.currentTimeMillis() + 60_000;
            while ((store.approximateNumEntries() > 0 || compute.backlog() > 0) && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
                List<MockProcessorContext.CapturedPunctuator> punctuators = context.scheduledPunctuators();
                punctuators.get(punctuators.size() - 1).getPunctuator().punctuate(System.currentTimeMillis());
            }
            Thread.sleep(200); // time for a stray first batch to finish on the compute thread
            context.scheduledPunctuators().forEach(p -> p.getPunctuator().punctuate(System.currentTimeMillis()));

            List<GeneratedImage> images = context.forwarded().stream()
                    .map(forwarded -> forwarded.record().value())
                    .filter(GeneratedImage.class::isInstance).map(GeneratedImage.class::cast).toList();
            assertThat(images).extracting(GeneratedImage::getIndex)
                    .as("each seed once").containsExactlyInAnyOrderElementsOf(
                            LongStream.range(0, 64).mapToObj(i -> (int) i).toList());
            assertThat(store.approximateNumEntries()).as("no seed left pending").isZero();
            assertThat(inFlight.size()).as("batches counted as in flight").isZero();
            assertThat(metrics.render(Map.of())).as("pending-seeds gauge").contains("denoise_pending_seeds 0\n");
        }
    }
}
