package dev.denoise.sampler;

import static dev.denoise.sampler.SamplerFixtures.version;
import static dev.denoise.sampler.SamplerFixtures.weights;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.denoise.diffusion.ComputeThread;
import dev.denoise.diffusion.Samplers;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.FailureReason;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleFailure;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.testsupport.Await;
import dev.denoise.testsupport.KafkaStackExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The processor's bookkeeping around the step scheduler, driven by Kafka's own mock context (the
 * requests are real Confluent-wire-format records from the test registry). The compute thread is
 * held after exactly one iteration, so each test acts while the first seeds sample (or while
 * their images wait to be emitted), for sure.
 */
@ExtendWith(KafkaStackExtension.class)
class SamplingProcessorTest {
    private Topics topics;
    private SampleRequest request;

    @BeforeEach
    void request(StackEndpoints stack) {
        topics = Topics.of(ConnectionSettings.of(stack.bootstrapServers(), stack.schemaRegistryUrl(),
                "processor-" + UUID.randomUUID()));
        request = SampleRequest.newBuilder().setRequestId(UUID.randomUUID().toString())
                .setSeeds(LongStream.range(0, 64).boxed().toList()).setSteps(40).setRequestedAt(Instant.now()).build();
    }

    @Test
    void initialisedAgainWhileSeedsSampleItEmitsEachImageOnce() throws Exception {
        checkEachImageOnce(request, processor -> {}); // a suspended task resumed: init without close
    }

    @Test
    void closedAndInitialisedAgainWhileSeedsSampleItEmitsEachImageOnce() throws Exception {
        checkEachImageOnce(request, SamplingProcessor::close); // a task revived after being closed
    }

    /** At one step all 64 seeds finish in the first iteration: their images wait for the stream thread at re-init. */
    @Test
    void initialisedAgainWithImagesNotYetEmittedItEmitsEachImageOnce() throws Exception {
        request.setSteps(1);
        checkEachImageOnce(request, processor -> {});
    }

    /**
     * A request of 64 seeds starts sampling on the compute thread; Streams then initialises the
     * processor again (after {@code beforeInit}) while they sample. The store still holds the 64
     * seeds, so they are sampled again, and the first slots' images must not be emitted too.
     */
    private void checkEachImageOnce(SampleRequest request, Consumer<SamplingProcessor> beforeInit) throws Exception {
        try (Harness harness = new Harness()) {
            harness.processHoldingAfterOneIteration(request);
            beforeInit.accept(harness.processor);
            harness.processor.init(harness.context);
            harness.gate.countDown();
            harness.runUntilIdle();

            assertThat(harness.images()).extracting(GeneratedImage::getIndex)
                    .as("each seed once").containsExactlyInAnyOrderElementsOf(
                            LongStream.range(0, 64).mapToObj(i -> (int) i).toList());
            assertThat(harness.store.approximateNumEntries()).as("no seed left pending").isZero();
            assertThat(harness.scheduler.occupied()).as("slots still held").isZero();
            assertThat(harness.scheduler.drain(Duration.ZERO)).as("no seed counted as sampling but never collected").isTrue();
            assertThat(harness.metrics.render(Map.of())).as("gauges")
                    .contains("denoise_pending_seeds 0\n", "denoise_sampling_seeds 0\n");
        }
    }

    @Test
    void recordsBehindSamplingSeedsAreHandledWhileTheySample() throws Exception {
        try (Harness harness = new Harness()) {
            harness.processHoldingAfterOneIteration(request);
            assertThat(harness.metrics.render(Map.of())).as("⌈64 slots / 40 steps⌉ seeds start an iteration")
                    .contains("denoise_sampling_seeds 2\n", "denoise_pending_seeds 64\n");

            harness.process("behind", "not avro".getBytes(StandardCharsets.UTF_8));

            assertThat(harness.failures()).as("the record behind the seeds, handled while they cannot finish")
                    .singleElement().extracting(SampleFailure::getReason).isEqualTo(FailureReason.UNDECODABLE);
            assertThat(harness.images()).isEmpty();
            harness.gate.countDown();
            harness.runUntilIdle();
            assertThat(harness.images()).hasSize(64);
        }
    }

    private byte[] serialized(SampleRequest value) {
        return topics.requests.valueSerde().serializer().serialize(topics.requests.name(), value);
    }

    /** A processor on a mock context with an in-memory store, a real model and the compute thread a test can hold. */
    private final class Harness implements AutoCloseable {
        final CountDownLatch gate = new CountDownLatch(1);
        final ComputeThread compute = new ComputeThread("processor-test-compute");
        final ModelRegistry registry = new ModelRegistry(Device.cpu(), compute, 3, 0.1);
        final SamplerMetrics metrics = new SamplerMetrics();
        final SamplerSettings settings = SamplerSettings.defaults();
        final StepScheduler scheduler = new StepScheduler(compute, registry, Samplers.all(), settings, metrics);
        final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        final KeyValueStore<String, PendingSeed> store = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(SamplerTopology.PENDING_STORE), Serdes.String(), PendingSeed.serde())
                .withLoggingDisabled().build();
        final SamplingProcessor processor;

        Harness() throws Exception {
            registry.install(version(1, weights(1)));
            processor = new SamplingProcessor(new RequestIntake(topics.requests.valueSerde().deserializer(),
                    new RequestValidation(settings, Samplers.all().keySet()), registry), scheduler, metrics,
                    settings.maxWait(), new SamplingProcessor.Names(SamplerTopology.PENDING_STORE,
                    SamplerTopology.IMAGES_SINK, SamplerTopology.FAILURES_SINK));
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
            context.setRecordMetadata(topics.requests.name(), 0, 0);
            processor.init(context);
        }

        /**
         * Hands a record to the processor on a thread of its own, as Streams' stream thread would,
         * and waits for it: a processor that blocked on sampling would fail here instead of hanging.
         */
        void process(String key, byte[] value) throws Exception {
            CompletableFuture.runAsync(() -> processor.process(new Record<>(key, value, 0L)))
                    .get(Await.PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }

        /**
         * Hands the request to the processor with the compute thread held, lets exactly one
         * iteration run (its first seeds start sampling), then holds the compute thread again
         * until the gate opens.
         */
        void processHoldingAfterOneIteration(SampleRequest request) throws Exception {
            CountDownLatch first = new CountDownLatch(1);
            compute.submit(() -> {
                first.await();
                return null;
            });
            process(request.getRequestId(), serialized(request)); // its first iteration queues behind the hold
            CountDownLatch holding = new CountDownLatch(1);
            compute.submit(() -> {
                holding.countDown();
                gate.await();
                return null;
            });
            first.countDown();
            assertThat(holding.await(Await.PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("one iteration run").isTrue();
        }

        /** Punctuates, as the stream thread does, until no seed is pending and no slot is held. */
        void runUntilIdle() throws Exception {
            Await.until("every seed emitted", () -> {
                punctuate();
                return store.approximateNumEntries() == 0 && scheduler.occupied() == 0 && scheduler.waiting() == 0;
            });
            compute.call(() -> null);
            punctuate(); // anything a stray slot would still emit, emitted now
        }

        private void punctuate() {
            context.scheduledPunctuators().forEach(p -> p.getPunctuator().punctuate(System.currentTimeMillis()));
        }

        List<GeneratedImage> images() {
            return forwarded(GeneratedImage.class);
        }

        List<SampleFailure> failures() {
            return forwarded(SampleFailure.class);
        }

        private <T> List<T> forwarded(Class<T> type) {
            return context.forwarded().stream().map(forwarded -> forwarded.record().value())
                    .filter(type::isInstance).map(type::cast).toList();
        }

        @Override
        public void close() {
            gate.countDown(); // a failed test must not leave the compute thread waiting
            registry.close();
            compute.close();
        }
    }
}
