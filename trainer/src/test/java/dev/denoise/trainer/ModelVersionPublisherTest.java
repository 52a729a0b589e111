package dev.denoise.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

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

/**
 * A trained model published to a real broker, read back and loaded into a working denoiser; the same
 * weights again under the same name refused.
 */
@KafkaStackTest
class ModelVersionPublisherTest {

    @Test
    void publishesNumberedVersionsOfNewWeightsThatLoadAndSampleLikeTheTrainedModel(StackEndpoints stack, @TempDir Path temp)
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
        WeightsAlreadyPublishedException refused = catchThrowableOfType(WeightsAlreadyPublishedException.class,
                () -> publisher.publish(trained));
        assertThat(refused).hasMessage("model 'mnist' version 1 already has these weights (sha256 "
                + trained.sha256().substring(0, 12) + "…); nothing published");
        assertThat(refused.existing().getVersion()).as("the version a rerun of the demo takes instead").isEqualTo(1);
        assertThat(ModelCatalogue.read(settings).versions()).as("the refused copy is not on the topic")
                .extracting(ModelVersion::getVersion).containsExactly(1);
        ModelVersion second = publisher.publish(withWeightsOf(trained, Denoiser.initialized(new ArticleUNet(), Device.cpu(), 7)));
        ModelVersion sameWeightsOtherName = publisher.publish(renamed(trained, "mnist-copy"));

        assertThat(first.getVersion()).isEqualTo(1);
        assertThat(second.getVersion()).isEqualTo(2);
        assertThat(sameWeightsOtherName.getVersion()).isEqualTo(1);
        ModelCatalogue catalogue = ModelCatalogue.read(settings);
        assertThat(catalogue.versionNumbers("mnist")).containsExactly(1, 2);
        assertThat(catalogue.versionNumbers("mnist-copy")).containsExactly(1);
        ModelVersion read = catalogue.version("mnist", 1).orElseThrow();
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

    /** {@code model} with the weights of {@code denoiser} (closed here). */
    private static TrainedModel withWeightsOf(TrainedModel model, Denoiser denoiser) {
        try (denoiser) {
            WeightsPackage w = denoiser.weights();
            return new TrainedModel(model.modelName(), w.architecture(), w.hyperParameters(), w.weights(), w.sha256(),
                    model.dataset(), model.epochs(), model.batchSize(), model.learningRate(), model.seed(), model.finalLoss(),
                    model.metrics());
        }
    }

    private static TrainedModel renamed(TrainedModel model, String name) {
        return new TrainedModel(name, model.architecture(), model.hyperParameters(), model.weights(), model.sha256(),
                model.dataset(), model.epochs(), model.batchSize(), model.learningRate(), model.seed(), model.finalLoss(),
                model.metrics());
    }

    private static WeightsPackage packageOf(ModelVersion version) {
        ByteBuffer buffer = version.getWeights().duplicate();
        byte[] weights = new byte[buffer.remaining()];
        buffer.get(weights);
        return new WeightsPackage(version.getArchitecture(), version.getHyperParameters(), weights,
                version.getWeightsSha256());
    }
}
