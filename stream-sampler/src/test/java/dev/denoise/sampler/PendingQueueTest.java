package dev.denoise.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PendingQueueTest {
    private static final long NOW = 1_000_000;

    @Test
    void aFullBatchRunsAtOnceAndTakesAtMostTheBatchSize() {
        PendingQueue queue = new PendingQueue();
        for (int i = 0; i < 70; i++) {
            queue.add(seed("r", i, 40, NOW));
        }

        Optional<List<PendingSeed>> batch = queue.nextBatch(NOW, 64, 10, key -> true);

        assertThat(batch.orElseThrow()).hasSize(64);
        assertThat(queue.size()).isEqualTo(6);
        assertThat(queue.nextBatch(NOW, 64, 10, key -> true)).as("6 seeds, not waited yet").isEmpty();
        assertThat(queue.nextBatch(NOW + 10, 64, 10, key -> true).orElseThrow()).hasSize(6);
    }

    @Test
    void seedsOfDifferentRequestsShareABatchOnlyWithTheSameSteps() {
        PendingQueue queue = new PendingQueue();
        queue.add(seed("a", 0, 40, NOW));
        queue.add(seed("b", 0, 40, NOW + 1));
        queue.add(seed("c", 0, 8, NOW + 2));

        List<PendingSeed> first = queue.nextBatch(NOW + 100, 64, 10, key -> true).orElseThrow();
        List<PendingSeed> second = queue.nextBatch(NOW + 100, 64, 10, key -> true).orElseThrow();

        assertThat(first).extracting(PendingSeed::requestId).containsExactly("a", "b");
        assertThat(second).extracting(PendingSeed::requestId).containsExactly("c");
        assertThat(queue.size()).isZero();
    }

    @Test
    void unservableGroupsWaitAndExpireAfterTheLimit() {
        PendingQueue queue = new PendingQueue();
        queue.add(seed("a", 0, 40, NOW));

        assertThat(queue.nextBatch(NOW + 100, 64, 10, key -> false)).isEmpty();
        assertThat(queue.takeExpired(NOW + 1_000, 5_000, key -> false)).isEmpty();
        assertThat(queue.takeExpired(NOW + 6_000, 5_000, key -> false)).extracting(PendingSeed::requestId)
                .containsExactly("a");
        assertThat(queue.size()).isZero();
    }

    @Test
    void theStoreSerdeRoundTrips() {
        PendingSeed seed = new PendingSeed("req-ü", 7, -3L, 40, "article", "mnist", 2, NOW);
        var serde = PendingSeed.serde();
        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", seed))).isEqualTo(seed);
    }

    private static PendingSeed seed(String request, int index, int steps, long acceptedAt) {
        return new PendingSeed(request, index, index, steps, "article", "mnist", 0, acceptedAt);
    }
}
