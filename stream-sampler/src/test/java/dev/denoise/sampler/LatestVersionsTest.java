package dev.denoise.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.schemas.ModelPromotion;
import dev.denoise.schemas.ModelVersion;
import dev.denoise.schemas.TrainingInfo;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatestVersionsTest {

    @Test
    void theDecisionDoesNotDependOnTheOrderTheRecordsAreReadIn() {
        // v2 passes against v1, v3 is held against v2; then v1 is promoted; v4 passes against v1
        // (54 within 10 % of 50), v5 is held against v4.
        List<Object> records = List.of(version(1, 50), version(2, 54), version(3, 70), promotion(1, 3.5),
                version(4, 54), version(5, 90));
        Random random = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            List<Object> shuffled = new ArrayList<>(records);
            Collections.shuffle(shuffled, random);
            LatestVersions latest = new LatestVersions(0.1);
            shuffled.forEach(record -> tell(latest, record));
            assertThat(latest.of("mnist")).as("order %s", shuffled).isEqualTo(4);
            assertThat(latest.heldBecause("mnist", 5)).as("judged against v4").isPresent();
            assertThat(latest.heldBecause("mnist", 3)).as("before the promotion: not judged any more").isEmpty();
        }
    }

    @Test
    void aPromotionCountsOnceItsVersionIsPublishedAndOnlyTheNewestCounts() {
        LatestVersions latest = new LatestVersions(0.1);
        latest.promoted(promotion(2, 2.5));
        assertThat(latest.of("mnist")).as("nothing published").isNull();
        latest.published(version(1, 50));
        assertThat(latest.of("mnist")).as("v2 not published yet").isEqualTo(1);
        latest.published(version(2, 500));
        assertThat(latest.of("mnist")).as("promoted, not judged").isEqualTo(2);
        latest.promoted(promotion(1, 1.5));
        assertThat(latest.of("mnist")).as("an older promotion changes nothing").isEqualTo(2);
        latest.promoted(promotion(1, 9));
        assertThat(latest.of("mnist")).as("a rollback").isEqualTo(1);
    }

    private static void tell(LatestVersions latest, Object record) {
        if (record instanceof ModelVersion version) {
            latest.published(version);
        } else {
            latest.promoted((ModelPromotion) record);
        }
    }

    private static ModelVersion version(int number, double frechetDistance) {
        return ModelVersion.newBuilder().setModel("mnist").setVersion(number).setArchitecture("article-unet")
                .setHyperParameters(Map.of()).setWeights(ByteBuffer.allocate(0)).setWeightsSha256("")
                .setTraining(TrainingInfo.newBuilder().setDataset("test").setEpochs(1).setBatchSize(128)
                        .setLearningRate(1e-3).setSeed(0).setFinalLoss(0.1)
                        .setMetrics(Map.of(QualityGate.METRIC, frechetDistance)).build())
                .setCreatedAt(Instant.EPOCH.plusSeconds(number))
                .build();
    }

    private static ModelPromotion promotion(int number, double atSeconds) {
        return ModelPromotion.newBuilder().setModel("mnist").setVersion(number)
                .setPromotedAt(Instant.EPOCH.plusMillis((long) (atSeconds * 1000))).build();
    }
}
