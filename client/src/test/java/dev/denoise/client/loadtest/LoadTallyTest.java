package dev.denoise.client.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.schemas.GeneratedImage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a run's images and failures add up, overall, per class and per model version, without Kafka. */
class LoadTallyTest {

    @Test
    void eachClassGetsItsOwnLatencyThroughputAndMissingSeeds() {
        Mix mix = Mix.parse("8:2:0.5,40:3:0.5");
        LoadTest.Sent fast = new LoadTest.Sent(1_000, 2, 0);
        LoadTest.Sent slow = new LoadTest.Sent(1_000, 3, 1);
        LoadTest.Sent failed = new LoadTest.Sent(1_500, 2, 0);
        LoadTally tally = new LoadTally(mix, 1_000);

        tally.image(fast, image("fast", 0, "mnist", 1), 1_100);
        tally.image(fast, image("fast", 1, "mnist", 1), 1_200);
        tally.image(fast, image("fast", 1, "mnist", 1), 1_300); // redelivered
        tally.image(slow, image("slow", 0, "mnist", 1), 2_000);
        tally.failure(failed, "INVALID_STEPS", 0); // the whole request
        tally.failure(slow, "DEADLINE_EXCEEDED", 1); // one of its seeds: the other two may still come
        LoadTest.Result result = tally.result(5, 7, List.of(fast, slow, failed), 3_000);

        assertThat(tally.done()).isEqualTo(6);
        assertThat(result.received()).isEqualTo(3);
        assertThat(result.duplicates()).isEqualTo(1);
        assertThat(result.missing()).isEqualTo(1); // the slow request's seed neither received nor failed
        assertThat(result.failures()).containsEntry("INVALID_STEPS", 1).containsEntry("DEADLINE_EXCEEDED", 1);
        assertThat(result.servedBy()).containsExactly(new ServedVersion("mnist", 1, 3));
        assertThat(result.imagesPerSecond()).isEqualTo(1.5);
        assertThat(result.max()).isEqualTo(1_000);
        LoadTest.ClassResult first = result.classes().get(0);
        assertThat(first.requests()).isEqualTo(2);
        assertThat(first.seeds()).isEqualTo(4);
        assertThat(first.received()).isEqualTo(2);
        assertThat(first.missing()).isZero();
        assertThat(first.latency().max()).isEqualTo(200);
        LoadTest.ClassResult second = result.classes().get(1);
        assertThat(second.received()).isEqualTo(1);
        assertThat(second.missing()).isEqualTo(1);
        assertThat(second.imagesPerSecond()).isEqualTo(0.5);
        assertThat(second.latency().p50()).isEqualTo(1_000);
        assertThat(result.timeline()).hasSize(2); // images in seconds 0 and 1
    }

    @Test
    void theVersionsThatServedAreTheImagesOwnEachCountedOnce() {
        Mix mix = Mix.single(8, 4);
        LoadTest.Sent before = new LoadTest.Sent(1_000, 4, 0);
        LoadTest.Sent after = new LoadTest.Sent(1_100, 4, 0);
        LoadTally tally = new LoadTally(mix, 1_000);

        // A new version takes over between two requests; the redelivered image counts once.
        for (int i = 0; i < 4; i++) {
            tally.image(before, image("before", i, "mnist-cond", 3), 1_500);
            tally.image(after, image("after", i, "mnist-cond", 4), 1_600);
        }
        tally.image(after, image("after", 0, "mnist-cond", 4), 1_700);
        LoadTest.Result result = tally.result(0, 8, List.of(before, after), 2_000);

        assertThat(result.servedBy()).containsExactly(new ServedVersion("mnist-cond", 3, 4), new ServedVersion("mnist-cond", 4, 4));
        assertThat(new LoadTally(mix, 0).result(0, 8, List.of(), 1_000).servedBy()).as("no images, no versions").isEmpty();
    }

    /** Image {@code index} of request {@code requestId}, made by {@code model} v{@code version}. */
    static GeneratedImage image(String requestId, int index, String model, int version) {
        return GeneratedImage.newBuilder().setRequestId(requestId).setSeed(index).setIndex(index).setModel(model)
                .setModelVersion(version).setSteps(8).setSampler("ddim").setWidth(28).setHeight(28)
                .setPng(ByteBuffer.allocate(0)).setQueueWaitMs(0).setSamplingMs(0).setCreatedAt(Instant.EPOCH).build();
    }
}
