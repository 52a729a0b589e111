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
    void labelledAndUnlabelledSeedsNeverShareABatchWhileDigitsMay() {
        PendingQueue queue = new PendingQueue();
        queue.add(new PendingSeed("a", 0, 1, 8, null, "m", 0, NOW, PendingSeed.NO_LABEL, Float.NaN));
        queue.add(new PendingSeed("b", 0, 2, 8, null, "m", 0, NOW, 3, Float.NaN));
        queue.add(new PendingSeed("c", 0, 3, 8, null, "m", 0, NOW, 7, Float.NaN));

        assertThat(queue.nextBatch(NOW + 100, 64, 10, key -> true).orElseThrow())
                .extracting(PendingSeed::requestId).containsExactly("a");
        assertThat(queue.nextBatch(NOW + 100, 64, 10, key -> true).orElseThrow())
                .extracting(PendingSeed::requestId).containsExactly("b", "c");
    }

    @Test
    void theStoreSerdeRoundTrips() {
        var serde = PendingSeed.serde();
        for (PendingSeed seed : List.of(new PendingSeed("req-ü", 7, -3L, 40, "article", "mnist", 2, NOW, PendingSeed.NO_LABEL, Float.NaN),
                new PendingSeed("req", 1, 9L, 8, null, "mnist-cond", 0, NOW, 4, 2.5f))) {
            assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", seed))).isEqualTo(seed);
        }
    }

    @Test
    void storeEntriesWrittenBeforeLabelsExistedReadAsUnconditional() {
        var serde = PendingSeed.serde();
        byte[] current = serde.serializer().serialize("t",
                new PendingSeed("req", 7, -3L, 40, "article", "mnist", 2, NOW, 5, 1f));
        byte[] old = java.util.Arrays.copyOf(current, current.length - 8); // the layout before label and guidance
        assertThat(serde.deserializer().deserialize("t", old))
                .isEqualTo(new PendingSeed("req", 7, -3L, 40, "article", "mnist", 2, NOW, PendingSeed.NO_LABEL, Float.NaN));
    }

    private static PendingSeed seed(String request, int index, int steps, long acceptedAt) {
        return new PendingSeed(request, index, index, steps, "article", "mnist", 0, acceptedAt, PendingSeed.NO_LABEL,
                Float.NaN);
    }
}
