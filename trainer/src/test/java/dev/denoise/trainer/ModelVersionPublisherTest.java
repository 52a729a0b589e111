package dev.denoise.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.denoise.diffusion.ArticleSampler;
import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.WeightsPackage;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.ModelCatalogue;
import dev.denoise.schemas.ModelVersion;
import dev.denoise.schemas.TopicProvisioner;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.testsupport.KafkaStackTest;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trained model published to a real broker, read back and loaded into a working denoiser. */
@KafkaStackTest
class ModelVersionPublisherTest {

    @Test
    void publishesNumberedVersionsThatLoadAndSampleLikeTheTrainedModel(StackEndpoints stack, @TempDir Path temp)
            throws Exception {
        ConnectionSettings settings = ConnectionSettings.of(stack.bootstrapServers(), stack.schemaRegistryUrl(),
                "publish-" + UUID.randomUUID());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            TopicProvisioner.ensureTopics(admin, Topics.of(settings), 1, Optional.empty());
        }
        TrainingOptions options = TrainingOptions.defaults().withDataDir(IdxFiles.subset(temp.resolve("data"), 300))
                .withEpochs(1).withHeldOut(100).withOutputDir(temp.resolve("out")).withModelName("mnist");
        TrainedModel trained = new DenoiserTrainer(new ArticleUNet(), 20).train(options, TrainingListener.SILENT);
        ModelVersionPublisher publisher = new ModelVersionPublisher(settings);

        assertThat(ModelCatalogue.read(settings).highestVersion("mnist")).isZero();
        ModelVersion first = publisher.publish(trained);
        ModelVersion second = publisher.publish(trained);

        assertThat(first.getVersion()).isEqualTo(1);
        assertThat(second.getVersion()).isEqualTo(2);
        List<ModelVersion> onTopic = ModelCatalogue.read(settings).versions();
        assertThat(onTopic).extracting(ModelVersion::getVersion).containsExactly(1, 2);
        ModelVersion read = onTopic.get(1);
        assertThat(read.getWeightsSha256()).isEqualTo(trained.sha256());
        assertThat(read.getTraining().getMetrics()).containsKeys("mse@0.5", "classifier.confidence");
        assertThat(read.getTraining().getEpochs()).isEqualTo(1);

        long[] seeds = {0, 1, 2};
        ArticleSampler sampler = new ArticleSampler();
        try (Denoiser original = Denoiser.load(trained.weightsPackage(), Device.cpu());
             Denoiser fromKafka = Denoiser.load(packageOf(read), Device.cpu())) {
            List<byte[]> expected = sampler.sample(original, seeds, 8);
            List<byte[]> actual = sampler.sample(fromKafka, seeds, 8);
            for (int i = 0; i < seeds.length; i++) {
                assertThat(actual.get(i)).as("seed %d", seeds[i]).isEqualTo(expected.get(i));
            }
        }
    }

    @Test
    void publishingWithoutTheTopicSaysWhatToDo(StackEndpoints stack) {
        ConnectionSettings settings = ConnectionSettings.of(stack.bootstrapServers(), stack.schemaRegistryUrl(),
                "missing-" + UUID.randomUUID());
        assertThatThrownBy(() -> new ModelVersionPublisher(settings).promote("mnist", 1))
                .hasMessageContaining("does not exist")
                .hasMessageContaining("denoise topics create");
    }

    private static WeightsPackage packageOf(ModelVersion version) {
        ByteBuffer buffer = version.getWeights().duplicate();
        byte[] weights = new byte[buffer.remaining()];
        buffer.get(weights);
        return new WeightsPackage(version.getArchitecture(), version.getHyperParameters(), weights,
                version.getWeightsSha256());
    }
}
