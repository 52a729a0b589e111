package dev.denoise.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Looking up versions in a catalogue built from records, without Kafka. */
class ModelCatalogueTest {

    @Test
    void versionWithWeightsIsTheNewestOfThatModelWithThatHash() {
        ModelCatalogue catalogue = new ModelCatalogue();
        catalogue.add(version("mnist", 1, "aa"));
        catalogue.add(version("mnist", 2, "bb"));
        catalogue.add(version("mnist", 3, "aa")); // v1's weights again, which another publisher may have written
        catalogue.add(version("mnist-cond", 1, "cc"));

        assertThat(catalogue.versionWithWeights("mnist", "aa")).map(ModelVersion::getVersion).contains(3);
        assertThat(catalogue.versionWithWeights("mnist", "bb")).map(ModelVersion::getVersion).contains(2);
        assertThat(catalogue.versionWithWeights("mnist", "cc")).as("another model's weights").isEmpty();
        assertThat(catalogue.versionWithWeights("fashion", "aa")).as("a model with no versions").isEmpty();
    }

    private static ModelVersion version(String model, int number, String sha256) {
        return ModelVersion.newBuilder().setModel(model).setVersion(number).setArchitecture("article-unet")
                .setHyperParameters(Map.of()).setWeights(ByteBuffer.allocate(0)).setWeightsSha256(sha256)
                .setTraining(TrainingInfo.newBuilder().setDataset("test").setEpochs(0).setBatchSize(0).setLearningRate(0)
                        .setSeed(0).setFinalLoss(0).setMetrics(Map.of()).build())
                .setCreatedAt(Instant.EPOCH.plusSeconds(number)).build();
    }
}
