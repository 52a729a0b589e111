package dev.denoise.sampler;

import static dev.denoise.sampler.SamplerFixtures.version;
import static dev.denoise.sampler.SamplerFixtures.weights;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.denoise.diffusion.ArticleSampler;
import dev.denoise.diffusion.ComputeThread;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.Sampler;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * The processor's bookkeeping around the compute thread, driven by Kafka's own mock context (the
 * requests are real Confluent-wire-format records from the test registry). The first batch is
 * held on the compute thread by a gate, so each test acts while it is sampling, for sure.
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
    void initialisedAgainWhileABatchSamplesItEmitsEachImageOnce() throws Exception {
        checkEachImageOnce(processor -> {}); // a suspended task resumed: init without close
    }

    @Test
    void closedAndInitialisedAgainWhileABatchSamplesItEmitsEachImageOnce() throws Exception {
        checkEachImageOnce(SamplingProcessor::close); // a task revived after being closed
    }

    /**
     * A request of 64 seeds becomes a batch on the compute thread; Streams then initialises the
     * processor again (after {@code beforeInit}) while the batch samples. The store still holds the
     * 64 seeds, so they are sampled again, and the first batch's images must not be emitted too.
     */
    private void checkEachImageOnce(Consumer<SamplingProcessor> beforeInit) throws Exception {
        try (Harness harness = new Harness()) {
            harness.process(request.getRequestId(), serialized(request));
            harness.gate.awaitFirstBatchSampling();
            beforeInit.accept(harness.processor);
            harness.processor.init(harness.context);
            harness.gate.open();
            harness.runUntilIdle();

            assertThat(harness.images()).extracting(GeneratedImage::getIndex)
                    .as("each seed once").containsExactlyInAnyOrderElementsOf(
                            LongStream.range(0, 64).mapToObj(i -> (int) i).toList());
            assertThat(harness.store.approximateNumEntries()).as("no seed left pending").isZero();
            assertThat(harness.inFlight.size()).as("batches counted as in flight").isZero();
            assertThat(harness.metrics.render(Map.of())).as("gauges")
                    .contains("denoise_pending_seeds 0\n", "denoise_sampling_seeds 0\n");
        }
    }

    @Test
    void recordsBehindASamplingBatchAreHandledWhileItSamples() throws Exception {
        try (Harness harness = new Harness()) {
            harness.process(request.getRequestId(), serialized(request));
            harness.gate.awaitFirstBatchSampling();
            assertThat(harness.metrics.render(Map.of())).contains("denoise_sampling_seeds 64\n");

            harness.process("behind", "not avro".getBytes(StandardCharsets.UTF_8));

            assertThat(harness.failures()).as("the record behind the batch, handled while the batch cannot finish")
                    .singleElement().extracting(SampleFailure::getReason).isEqualTo(FailureReason.UNDECODABLE);
            assertThat(harness.images()).isEmpty();
            harness.gate.open();
            harness.runUntilIdle();
            assertThat(harness.images()).hasSize(64);
        }
    }

    private byte[] serialized(SampleRequest value) {
        return topics.requests.valueSerde().serializer().serialize(topics.requests.name(), value);
    }

    /** A processor on a mock context with an in-memory store, a real model and a gated sampler. */
    private final class Harness implements AutoCloseable {
        final GatedSampler gate = new GatedSampler(new ArticleSampler());
        final ComputeThread compute = new ComputeThread("processor-test-compute");
        final ModelRegistry registry = new ModelRegistry(Device.cpu(), compute, 3, 0.1);
        final BatchesInFlight inFlight = new BatchesInFlight();
        final SamplerMetrics metrics = new SamplerMetrics();
        final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        final KeyValueStore<String, PendingSeed> store = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(SamplerTopology.PENDING_STORE), Serdes.String(), PendingSeed.serde())
                .withLoggingDisabled().build();
        final SamplingProcessor processor;

        Harness() throws Exception {
            registry.install(version(1, weights(1)));
            processor = new SamplingProcessor(topics.requests.valueSerde().deserializer(), SamplerSettings.defaults(),
                    registry, compute, inFlight, Map.of(gate.name(), gate), metrics);
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
         * Lets the compute thread finish everything handed to it, then punctuates, until no seed
         * is pending and nothing is on the compute thread. Each round either emits a finished
         * batch or starts the next, so a bounded number of rounds is enough.
         */
        void runUntilIdle() {
            for (int round = 0; round < 100 && (store.approximateNumEntries() > 0 || compute.backlog() > 0); round++) {
                compute.call(() -> null); // runs after all the work handed over before it
                punctuate();
            }
            compute.call(() -> null);
            punctuate(); // anything a stray batch would still emit, emitted now
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
            gate.open(); // a failed test must not leave the compute thread waiting
            registry.close();
            compute.close();
        }
    }

    /** The article sampler, but the first batch waits, once it has started, until the test opens the gate. */
    private static final class GatedSampler implements Sampler {
        private final Sampler sampler;
        private final CountDownLatch firstBatchSampling = new CountDownLatch(1);
        private final CountDownLatch gate = new CountDownLatch(1);
        private final AtomicBoolean first = new AtomicBoolean(true);

        GatedSampler(Sampler sampler) {
            this.sampler = sampler;
        }

        @Override
        public String name() {
            return sampler.name();
        }

        @Override
        public List<byte[]> sample(Denoiser denoiser, long[] seeds, int steps) {
            if (first.getAndSet(false)) {
                firstBatchSampling.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            return sampler.sample(denoiser, seeds, steps);
        }

        void awaitFirstBatchSampling() throws Exception {
            assertThat(firstBatchSampling.await(Await.PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .as("the full batch started on the compute thread").isTrue();
        }

        void open() {
            gate.countDown();
        }
    }
}
