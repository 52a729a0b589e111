package dev.denoise.bench;

import ai.djl.Device;
import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.ComputeThread;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.WeightsPackage;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.sampler.ServiceSettings;
import dev.denoise.schemas.TopicProvisioner;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.trainer.ModelVersionPublisher;
import dev.denoise.trainer.TrainedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What a serving benchmark sets up on a running stack: topics of its own, a model to serve, samplers' settings. */
final class BenchmarkStack {
    private BenchmarkStack() {
    }

    /**
     * Topics under a prefix of their own (4 partitions) with an untrained article-unet published as
     * mnist v1: any weights do, speed does not depend on their values. Client properties come
     * from the environment as for every command ({@code DENOISE_KAFKA_*}, {@code KAFKA_CLIENT_CONFIG}),
     * so a benchmark can try a Kafka or Streams setting.
     */
    static ConnectionSettings withArticleModel(StackEndpoints endpoints) throws Exception {
        return withModel(endpoints, null);
    }

    /** As above, publishing {@code model} as mnist v1 instead when it is not null. */
    static ConnectionSettings withModel(StackEndpoints endpoints, TrainedModel model) throws Exception {
        ConnectionSettings connection = ConnectionSettings.resolve(Map.of(
                ConnectionSettings.BOOTSTRAP_SERVERS.flag(), endpoints.bootstrapServers(),
                ConnectionSettings.SCHEMA_REGISTRY_URL.flag(), endpoints.schemaRegistryUrl(),
                ConnectionSettings.TOPIC_PREFIX.flag(), "bench-" + UUID.randomUUID().toString().substring(0, 8)),
                List.of(), System.getenv());
        TopicProvisioner.ensureTopics(connection, 4);
        if (model != null) {
            new ModelVersionPublisher(connection).publish(new TrainedModel("mnist", model.architecture(),
                    model.hyperParameters(), model.weights(), model.sha256(), model.dataset(), model.epochs(),
                    model.batchSize(), model.learningRate(), model.seed(), model.finalLoss(), model.metrics()));
            return connection;
        }
        WeightsPackage weights;
        try (ComputeThread compute = new ComputeThread("benchmark-init")) { // ends before a sampler's starts
            weights = compute.call(() -> {
                try (Denoiser denoiser = Denoiser.initialized(new ArticleUNet(), Device.cpu(), 1)) {
                    return denoiser.weights();
                }
            });
        }
        new ModelVersionPublisher(connection).publish(new TrainedModel("mnist", weights.architecture(),
                weights.hyperParameters(), weights.weights(), weights.sha256(), "benchmark", 0, 0, 1e-3f, 0, 0, Map.of()));
        return connection;
    }

    /** A sampler's settings for a benchmark: its own application id and state, any HTTP port, {@code flags} on top. */
    static ServiceSettings samplerSettings(Map<String, String> flags) throws IOException {
        Map<String, String> all = new HashMap<>(flags);
        all.put(ServiceSettings.APPLICATION_ID.flag(), "bench-" + UUID.randomUUID());
        all.put(ServiceSettings.STATE_DIR.flag(), Files.createTempDirectory("bench-state").toString());
        all.put(ServiceSettings.HTTP_PORT.flag(), "0");
        return ServiceSettings.resolve(all, Map.of());
    }
}
