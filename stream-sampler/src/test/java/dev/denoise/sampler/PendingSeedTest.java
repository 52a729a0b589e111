package dev.denoise.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PendingSeedTest {
    private static final long NOW = 1_000_000;

    @Test
    void theStoreSerdeRoundTrips() {
        var serde = PendingSeed.serde();
        for (PendingSeed seed : List.of(
                new PendingSeed("req-ü", 7, -3L, 40, "article", "mnist", 2, NOW, PendingSeed.NO_LABEL, Float.NaN, 1,
                        PendingSeed.NO_DEADLINE),
                new PendingSeed("req", 1, 9L, 8, null, "mnist-cond", 0, NOW, 4, 2.5f, 7, NOW + 500),
                new PendingSeed("req", 2, 9L, 4, "flow-map", "mnist-fast", 0, NOW, 4, 2f, 1, NOW + 500, 1))) {
            assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", seed))).isEqualTo(seed);
        }
    }

    @Test
    void storeEntriesWrittenBeforeLaterFieldsExistedReadWithTheirDefaults() {
        var serde = PendingSeed.serde();
        byte[] current = serde.serializer().serialize("t",
                new PendingSeed("req", 7, -3L, 40, "article", "mnist", 2, NOW, 5, 1f, 3, NOW + 9, 2));
        byte[] beforeMinSteps = Arrays.copyOf(current, current.length - 4);
        assertThat(serde.deserializer().deserialize("t", beforeMinSteps)).isEqualTo(
                new PendingSeed("req", 7, -3L, 40, "article", "mnist", 2, NOW, 5, 1f, 3, NOW + 9, 0));
        byte[] beforePriorities = Arrays.copyOf(current, current.length - 16);
        assertThat(serde.deserializer().deserialize("t", beforePriorities)).isEqualTo(
                new PendingSeed("req", 7, -3L, 40, "article", "mnist", 2, NOW, 5, 1f, 1, PendingSeed.NO_DEADLINE));
        byte[] beforeLabels = Arrays.copyOf(current, current.length - 24);
        assertThat(serde.deserializer().deserialize("t", beforeLabels)).isEqualTo(new PendingSeed("req", 7, -3L, 40,
                "article", "mnist", 2, NOW, PendingSeed.NO_LABEL, Float.NaN, 1, PendingSeed.NO_DEADLINE));
    }
}
