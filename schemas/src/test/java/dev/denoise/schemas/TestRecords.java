package dev.denoise.schemas;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/** Sample messages for tests. */
final class TestRecords {
    private TestRecords() {}

    static SampleRequest request() {
        return SampleRequest.newBuilder()
                .setRequestId(UUID.randomUUID().toString())
                .setSeeds(List.of(0L, 1L, 2L, 1L << 40))
                .setSteps(40)
                .setSampler("article")
                .setModel("mnist")
                .setPinnedVersion(3)
                .setClassLabel(null)
                .setRequestedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .build();
    }
}
