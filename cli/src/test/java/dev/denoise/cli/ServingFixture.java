package dev.denoise.cli;

import ai.djl.Device;
import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.WeightsPackage;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.sampler.SamplingService;
import dev.denoise.sampler.ServiceSettings;
import dev.denoise.schemas.TopicProvisioner;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.testsupport.Await;
import dev.denoise.trainer.ModelVersionPublisher;
import dev.denoise.trainer.TrainedModel;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Topics of their own, a published model and a running sampler, for the client commands' tests. */
final class ServingFixture implements AutoCloseable {
    final StackEndpoints stack;
    final ConnectionSettings connection;
    final SamplingService sampler;
    final ModelVersionPublisher publisher;

    ServingFixture(StackEndpoints stack) throws Exception {
        this.stack = stack;
        this.connection = ConnectionSettings.of(stack.bootstrapServers(), stack.schemaRegistryUrl(), "cli-" + UUID.randomUUID());
        TopicProvisioner.ensureTopics(connection, 2);
        this.publisher = new ModelVersionPublisher(connection);
        publisher.publish(model(1));
        this.sampler = SamplingService.start(connection, ServiceSettings.resolve(Map.of(
                ServiceSettings.APPLICATION_ID.flag(), "cli-" + UUID.randomUUID(),
                ServiceSettings.STATE_DIR.flag(), Files.createTempDirectory("cli-sampler").toString(),
                ServiceSettings.HTTP_PORT.flag(), "0",
                ServiceSettings.NO_MODEL_WAIT_MS.flag(), "2000"), Map.of()));
        awaitVersion(1);
    }

    /** An untrained cond-unet published as mnist-cond, and wait until it serves. */
    void publishConditioned() throws Exception {
        try (Denoiser denoiser = Denoiser.initialized(new CondUNet(), Device.cpu(), 9)) {
            WeightsPackage w = denoiser.weights();
            publishAndAwait(new TrainedModel("mnist-cond", w.architecture(), w.hyperParameters(), w.weights(), w.sha256(),
                    "test", 1, 128, 1e-3f, 9, 0.5, Map.of()));
        }
    }

    /** Publishes {@code model} as a new version of its name, and waits until that version serves. */
    void publishAndAwait(TrainedModel model) throws Exception {
        int version = publisher.publish(model).getVersion();
        Await.until(model.modelName() + " v" + version + " serving",
                () -> sampler.registry().latestVersions().getOrDefault(model.modelName(), 0) == version);
    }

    /** A model whose weights come from {@code seed} (untrained: the tests check plumbing, not digits). */
    static TrainedModel model(long seed) {
        try (Denoiser denoiser = Denoiser.initialized(new ArticleUNet(), Device.cpu(), seed)) {
            WeightsPackage w = denoiser.weights();
            return new TrainedModel("mnist", w.architecture(), w.hyperParameters(), w.weights(), w.sha256(),
                    "test", 1, 128, 1e-3f, seed, 0.5, Map.of("mse@0.5", 0.05));
        }
    }

    void awaitVersion(int version) throws Exception {
        Await.until("mnist v" + version + " serving",
                () -> sampler.registry().latestVersions().getOrDefault("mnist", 0) == version && sampler.ready());
    }

    /** The connection flags every client command takes, followed by {@code args}. */
    String[] args(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-server", stack.bootstrapServers(), "--schema-registry-url",
                stack.schemaRegistryUrl(), "--topic-prefix", connection.topicPrefix()));
        return all.toArray(String[]::new);
    }

    @Override
    public void close() {
        sampler.close();
    }
}
