package dev.denoise.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.FailureReason;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleFailure;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.testsupport.KafkaStackTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The processor's bookkeeping around the continuous batcher, driven by Kafka's own mock context (the
 * requests are real Confluent-wire-format records from the test registry). The compute thread is
 * held after exactly one iteration, so each test acts while the first seeds sample (or while
 * their images wait to be emitted), for sure.
 */
@KafkaStackTest
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
        try (ProcessorHarness harness = new ProcessorHarness(topics)) {
            harness.processHoldingAfterOneIteration(request);
            beforeInit.accept(harness.processor);
            harness.processor.init(harness.context);
            harness.gate.countDown();
            harness.runUntilIdle();

            assertThat(harness.images()).extracting(GeneratedImage::getIndex)
                    .as("each seed once").containsExactlyInAnyOrderElementsOf(
                            LongStream.range(0, 64).mapToObj(i -> (int) i).toList());
            assertThat(harness.store.approximateNumEntries()).as("no seed left pending").isZero();
            assertThat(harness.batcher.occupied()).as("slots still held").isZero();
            assertThat(harness.batcher.drain(Duration.ZERO)).as("no seed counted as sampling but never collected").isTrue();
            assertThat(harness.metrics.render(Map.of())).as("gauges")
                    .contains("denoise_pending_seeds 0\n", "denoise_sampling_seeds 0\n");
        }
    }

    @Test
    void recordsBehindSamplingSeedsAreHandledWhileTheySample() throws Exception {
        try (ProcessorHarness harness = new ProcessorHarness(topics)) {
            harness.processHoldingAfterOneIteration(request);
            assertThat(harness.metrics.render(Map.of())).as("64 seeds fit in the 64 free slots: all start at once")
                    .contains("denoise_sampling_seeds 64\n", "denoise_pending_seeds 64\n");

            harness.process("behind", "not avro".getBytes(StandardCharsets.UTF_8));

            assertThat(harness.failures()).as("the record behind the seeds, handled while they cannot finish")
                    .singleElement().extracting(SampleFailure::getReason).isEqualTo(FailureReason.UNDECODABLE);
            assertThat(harness.images()).isEmpty();
            harness.gate.countDown();
            harness.runUntilIdle();
            assertThat(harness.images()).hasSize(64);
        }
    }
}
