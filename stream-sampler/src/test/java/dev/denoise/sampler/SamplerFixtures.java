package dev.denoise.sampler;

import ai.djl.Device;
import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.MaskedUNet;
import dev.denoise.diffusion.SchedulerConfig;
import dev.denoise.diffusion.TorchScriptArchitecture;
import dev.denoise.diffusion.WeightsCodec;
import dev.denoise.diffusion.WeightsPackage;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.ModelPromotion;
import dev.denoise.schemas.ModelVersion;
import dev.denoise.schemas.TopicProvisioner;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.trainer.ModelVersionPublisher;
import dev.denoise.trainer.TrainedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;

/** What the sampler's integration tests set up: their own topics, and model versions to publish. */
final class SamplerFixtures {
    private SamplerFixtures() {}

    /** Connection settings with a topic prefix of their own ({@code name}-random), its topics created. */
    static ConnectionSettings freshTopics(StackEndpoints stack, String name, int partitions) throws Exception {
        ConnectionSettings connection = ConnectionSettings.of(stack.bootstrapServers(), stack.schemaRegistryUrl(),
                name + "-" + UUID.randomUUID());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            TopicProvisioner.ensureTopics(admin, Topics.of(connection), partitions, Optional.empty());
        }
        return connection;
    }

    /** Default settings with an application id and state directory of their own, and any free HTTP port. */
    static ServiceSettings settings(String name) throws IOException {
        return settings(name, Map.of());
    }

    /** As {@link #settings(String)}, with {@code flags} (values by flag name) on top. */
    static ServiceSettings settings(String name, Map<String, String> flags) throws IOException {
        Map<String, String> all = new HashMap<>(Map.of(
                ServiceSettings.APPLICATION_ID.flag(), name + "-" + UUID.randomUUID(),
                ServiceSettings.STATE_DIR.flag(), Files.createTempDirectory(name + "-state").toString(),
                ServiceSettings.HTTP_PORT.flag(), "0"));
        all.putAll(flags);
        return ServiceSettings.resolve(all, Map.of());
    }

    /** Untrained weights drawn from {@code seed}: distinct per seed, which is all these tests need. */
    static WeightsPackage weights(long seed) {
        try (Denoiser denoiser = Denoiser.initialized(new ArticleUNet(), Device.cpu(), seed)) {
            return denoiser.weights();
        }
    }

    /** Untrained cond-unet weights drawn from {@code seed}. */
    static WeightsPackage condWeights(long seed) {
        try (Denoiser denoiser = Denoiser.initialized(new CondUNet(), Device.cpu(), seed)) {
            return denoiser.weights();
        }
    }

    /** Untrained masked-unet weights drawn from {@code seed}. */
    static WeightsPackage maskedWeights(long seed) {
        try (Denoiser denoiser = Denoiser.initialized(new MaskedUNet(), Device.cpu(), seed)) {
            return denoiser.weights();
        }
    }

    /**
     * A TorchScript archive of the diffusion module's test fixtures (tools/torchscript makes them):
     * {@code tiny-unet.pt} (3x16x16, 4 classes, random weights), {@code wrong-shape.pt}, {@code nan-output.pt}.
     */
    static Path torchScriptFixture(String name) {
        return Path.of("..", "diffusion", "src", "test", "resources", "torchscript", name);
    }

    /** The contract of {@code tiny-unet.pt}: 3x16x16 RGB, classes "red", "green", "blue", "grey", v-prediction on the cosine schedule. */
    static TorchScriptArchitecture tinyContract() {
        return new TorchScriptArchitecture(new ai.djl.ndarray.types.Shape(3, 16, 16), 4, 4, java.util.List.of("red", "green",
                "blue", "grey"), SchedulerConfig.parseJson("{\"beta_schedule\": \"squaredcos_cap_v2\", "
                + "\"prediction_type\": \"v_prediction\", \"timestep_spacing\": \"trailing\"}", w -> { }), 6, 2f);
    }

    /** The archive {@code name} as a model {@code model} under {@link #tinyContract()}, ready to publish. */
    static TrainedModel torchScriptModel(String model, String name) throws IOException {
        byte[] archive = Files.readAllBytes(torchScriptFixture(name));
        TorchScriptArchitecture contract = tinyContract();
        return new TrainedModel(model, TorchScriptArchitecture.NAME, contract.hyperParameters(), archive,
                WeightsCodec.sha256Hex(archive), "random weights", 0, 0, 0f, 0L, 0.0, Map.of());
    }

    /** Version {@code number} of mnist, created {@code number} seconds after the epoch: versions are created in order. */
    static ModelVersion version(int number, WeightsPackage weights) {
        return ModelVersionPublisher.toRecord(trainedModel(weights), number, createdAt(number));
    }

    static Instant createdAt(int number) {
        return Instant.EPOCH.plusSeconds(number);
    }

    /** A promotion of mnist v{@code number}, {@code afterVersion}.5 seconds after the epoch: after that version's creation. */
    static ModelPromotion promotion(int number, int afterVersion) {
        return ModelPromotion.newBuilder().setModel("mnist").setVersion(number)
                .setPromotedAt(createdAt(afterVersion).plusMillis(500)).build();
    }

    static TrainedModel trainedModel(WeightsPackage weights) {
        return trainedModel("mnist", weights);
    }

    static TrainedModel trainedModel(String model, WeightsPackage weights) {
        return new TrainedModel(model, weights.architecture(), weights.hyperParameters(), weights.weights(),
                weights.sha256(), "test-weights", 0, 128, 1e-3f, 0, 1.0, Map.of());
    }

    /**
     * A stream-sampler in a JVM of its own (so a test can SIGKILL it), on {@code connection}'s
     * topics with {@code applicationId}, its state in {@code stateDir}, its output in {@code log}.
     */
    static Process startProcess(StackEndpoints stack, ConnectionSettings connection, String applicationId,
                                Path stateDir, Path log) throws IOException {
        Files.createDirectories(stateDir);
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                SamplingServiceMain.class.getName());
        Map<String, String> env = builder.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
        env.put("SCHEMA_REGISTRY_URL", stack.schemaRegistryUrl());
        env.put("DENOISE_TOPIC_PREFIX", connection.topicPrefix());
        env.put("DENOISE_APPLICATION_ID", applicationId);
        env.put("DENOISE_STATE_DIR", stateDir.toString());
        env.put("DENOISE_HTTP_PORT", "0");
        return builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
