package dev.denoise.client.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How a run's images and failures add up, overall and per class, without Kafka. */
class LoadTallyTest {

    @Test
    void eachClassGetsItsOwnLatencyThroughputAndMissingSeeds() {
        Mix mix = Mix.parse("8:2:0.5,40:3:0.5");
        LoadTest.Sent fast = new LoadTest.Sent(1_000, 2, 0);
        LoadTest.Sent slow = new LoadTest.Sent(1_000, 3, 1);
        LoadTest.Sent failed = new LoadTest.Sent(1_500, 2, 0);
        LoadTally tally = new LoadTally(mix, 1_000);

        tally.image(fast, "fast/0", 1_100);
        tally.image(fast, "fast/1", 1_200);
        tally.image(fast, "fast/1", 1_300); // redelivered
        tally.image(slow, "slow/0", 2_000);
        tally.failure(failed, "INVALID_STEPS", 0); // the whole request
        tally.failure(slow, "DEADLINE_EXCEEDED", 1); // one of its seeds: the other two may still come
        LoadTest.Result result = tally.result(5, 7, List.of(fast, slow, failed), 3_000);

        assertThat(tally.done()).isEqualTo(6);
        assertThat(result.received()).isEqualTo(3);
        assertThat(result.duplicates()).isEqualTo(1);
        assertThat(result.missing()).isEqualTo(1); // the slow request's seed neither received nor failed
        assertThat(result.failures()).containsEntry("INVALID_STEPS", 1).containsEntry("DEADLINE_EXCEEDED", 1);
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
}
