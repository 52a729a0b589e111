package dev.denoise.sampler;

import static dev.denoise.sampler.SamplerFixtures.version;
import static dev.denoise.sampler.SamplerFixtures.weights;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.denoise.diffusion.ComputeThread;
import dev.denoise.diffusion.ModelFamilies;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleFailure;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.testsupport.Await;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** A processor on a mock context with an in-memory store, a real model and the compute thread a test can hold. */
final class ProcessorHarness implements AutoCloseable {
    final CountDownLatch gate = new CountDownLatch(1);
    final ComputeThread compute = new ComputeThread("processor-test-compute");
    final ModelRegistry registry = new ModelRegistry(Device.cpu(), compute, 3, 0.1);
    final ServiceMetrics metrics = new ServiceMetrics();
    final ServiceSettings settings = ServiceSettings.defaults();
    final ContinuousBatcher batcher = new ContinuousBatcher(compute, registry, settings, metrics);
    final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    final KeyValueStore<String, PendingSeed> store = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(SamplingTopology.PENDING_STORE), Serdes.String(), PendingSeed.serde())
            .withLoggingDisabled().build();
    final SamplingProcessor processor;

    private final Topics topics;

    ProcessorHarness(Topics topics) throws Exception {
        this.topics = topics;
        registry.install(version(1, weights(1)));
        processor = new SamplingProcessor(new RequestIntake(topics.requests.valueSerde().deserializer(),
                new RequestValidation(settings, ModelFamilies.samplers().keySet()), registry), batcher, metrics,
                settings.maxWait(), new SamplingProcessor.Names(SamplingTopology.PENDING_STORE,
                SamplingTopology.IMAGES_SINK, SamplingTopology.FAILURES_SINK));
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        context.setRecordMetadata(topics.requests.name(), 0, 0);
        processor.init(context);
    }

    byte[] serialized(SampleRequest value) {
        return topics.requests.valueSerde().serializer().serialize(topics.requests.name(), value);
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
            return store.approximateNumEntries() == 0 && batcher.occupied() == 0 && batcher.waiting() == 0;
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
