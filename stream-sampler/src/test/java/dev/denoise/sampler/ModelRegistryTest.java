package dev.denoise.sampler;

import static dev.denoise.sampler.SamplerFixtures.promotion;
import static dev.denoise.sampler.SamplerFixtures.version;
import static dev.denoise.sampler.SamplerFixtures.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.denoise.diffusion.ComputeThread;
import dev.denoise.diffusion.WeightsPackage;
import dev.denoise.schemas.ModelVersion;
import dev.denoise.trainer.ModelVersionPublisher;
import dev.denoise.trainer.TrainedModel;
import dev.denoise.diffusion.WeightsCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {

    @Test
    void keepsABoundedNumberOfVersionsAndServesTheNewestOrThePromotedOne() throws Exception {
        try (ComputeThread compute = new ComputeThread("registry-test-compute");
             ModelRegistry registry = new ModelRegistry(Device.cpu(), compute, 3, 0.1)) {
            for (int v = 1; v <= 4; v++) {
                assertThat(registry.install(version(v, weights(v))).latest()).isTrue();
            }
            assertThat(registry.loadedVersions("mnist")).containsExactlyInAnyOrder(2, 3, 4);
            assertThat(registry.latestVersions()).containsEntry("mnist", 4);

            registry.promote(promotion(2, 4));
            assertThat(registry.latestVersions()).as("promoted while loaded").containsEntry("mnist", 2);
            LoadedModel served = registry.acquire("mnist", 0).orElseThrow();
            assertThat(served.version()).isEqualTo(2);
            registry.release(served);
            assertThat(registry.acquire("mnist", 1)).as("unloaded version").isEmpty();
            assertThat(registry.notLoaded("mnist", 1)).contains("v1 is published but not loaded", "3 in all",
                    "denoise models promote --model mnist --model-version 1");
            assertThat(registry.notLoaded("mnist", 9)).contains("has no version 9");
            assertThat(registry.install(version(5, weights(5))).latest()).as("created after the promotion").isTrue();
            assertThat(registry.acquire("other", 0)).isEmpty();
        }
    }

    @Test
    void theQualityGateHoldsBackAWorseVersionForPinnedRequestsAndAPromotionOverridesIt() throws Exception {
        try (ComputeThread compute = new ComputeThread("registry-test-compute");
             ModelRegistry registry = new ModelRegistry(Device.cpu(), compute, 2, 0.1)) {
            assertThat(registry.install(judged(1, 50.0)).latest()).isTrue();
            assertThat(registry.install(judged(2, 54.0)).latest()).as("within the 10 % tolerance").isTrue();

            ModelRegistry.Installed worse = registry.install(judged(3, 70.0));
            assertThat(worse.latest()).isFalse();
            assertThat(worse.heldBecause()).hasValueSatisfying(why -> assertThat(why)
                    .contains("mnist v3 held back", "70.00", "v2's 54.00", "10 %"));
            assertThat(registry.latestVersions()).containsEntry("mnist", 2);
            LoadedModel pinned = registry.acquire("mnist", 3).orElseThrow();
            assertThat(pinned.version()).as("a held version serves pinned requests").isEqualTo(3);
            registry.release(pinned);

            assertThat(registry.install(judged(4, 80.0)).latest()).isFalse();
            assertThat(registry.loadedVersions("mnist")).as("the bound never unloads the latest")
                    .contains(2).hasSize(2);

            registry.install(judged(3, 70.0)); // loaded again, as the follower does before a promotion
            registry.promote(promotion(3, 4));
            assertThat(registry.latestVersions()).as("an operator's promotion is not judged").containsEntry("mnist", 3);
            assertThat(registry.install(judged(5, 75.0)).latest()).as("judged against the promoted version")
                    .isTrue();
            assertThat(registry.install(judged(6, 1e9)).latest()).isFalse();
        }
    }

    /** A version whose published metrics say its Frechet distance. */
    private static ModelVersion judged(int number, double frechetDistance) {
        WeightsPackage weights = weights(number);
        TrainedModel model = new TrainedModel("mnist", weights.architecture(), weights.hyperParameters(),
                weights.weights(), weights.sha256(), "test", 1, 128, 1e-3f, 0, 0.1,
                Map.of(QualityGate.METRIC, frechetDistance));
        return ModelVersionPublisher.toRecord(model, number, SamplerFixtures.createdAt(number));
    }

    @Test
    void aVersionWithAWrongHashIsRefusedAndTheLatestKeepsServing() throws Exception {
        try (ComputeThread compute = new ComputeThread("registry-test-compute");
             ModelRegistry registry = new ModelRegistry(Device.cpu(), compute, 3, 0.1)) {
            registry.install(version(1, weights(1)));
            WeightsPackage good = weights(2);
            WeightsPackage badHash = new WeightsPackage(good.architecture(), good.hyperParameters(), good.weights(),
                    "0".repeat(64));

            assertThatThrownBy(() -> registry.install(version(2, badHash)))
                    .isInstanceOf(ModelRegistry.RejectedVersion.class)
                    .hasMessageContaining("mnist v2 refused")
                    .hasMessageContaining("hash");
            assertThat(registry.latestVersions()).containsEntry("mnist", 1);
            assertThat(registry.loadedVersions("mnist")).containsExactly(1);
        }
    }

    /**
     * A TorchScript version serves beside a Java-built one; one that breaks its contract, or whose
     * weights by reference cannot be had, is refused with the reason while the serving version stays.
     */
    @Test
    void aTorchScriptVersionServesAndABrokenOneIsRefusedWhileThePreviousServes(@TempDir Path dir) throws Exception {
        try (ComputeThread compute = new ComputeThread("registry-test-compute");
             ModelRegistry registry = new ModelRegistry(Device.cpu(), compute, 5, 0.1,
                     new WeightsArtifacts(dir.resolve("cache"), Duration.ofSeconds(5)))) {
            registry.install(version(1, weights(1)));
            assertThat(registry.install(torchScriptVersion(2, "tiny-unet.pt", null)).latest()).isTrue();
            LoadedModel served = registry.acquire("mnist", 0).orElseThrow();
            assertThat(served.denoiser().architecture().imageShape()).isEqualTo(new ai.djl.ndarray.types.Shape(3, 16, 16));
            registry.release(served);

            assertThatThrownBy(() -> registry.install(torchScriptVersion(3, "wrong-shape.pt", null)))
                    .isInstanceOf(ModelRegistry.RejectedVersion.class)
                    .hasMessageContaining("mnist v3 refused").hasMessageContaining("gave shape (4, 3, 8, 8)");
            assertThatThrownBy(() -> registry.install(torchScriptVersion(3, "nan-output.pt", null)))
                    .hasMessageContaining("non-finite output");
            ModelVersion sigmoid = torchScriptVersion(3, "tiny-unet.pt", null);
            Map<String, String> unsupported = new java.util.HashMap<>(sigmoid.getHyperParameters());
            unsupported.put("scheduler.beta_schedule", "sigmoid");
            sigmoid.setHyperParameters(unsupported);
            assertThatThrownBy(() -> registry.install(sigmoid)).hasMessageContaining("beta_schedule 'sigmoid' is not supported");
            ModelVersion shapeless = torchScriptVersion(3, "tiny-unet.pt", null);
            Map<String, String> missing = new java.util.HashMap<>(shapeless.getHyperParameters());
            missing.remove("image");
            shapeless.setHyperParameters(missing);
            assertThatThrownBy(() -> registry.install(shapeless)).hasMessageContaining("'image', e.g. 3x32x32) is missing");
            Path archive = SamplerFixtures.torchScriptFixture("tiny-unet.pt").toAbsolutePath();
            ModelVersion wrongHash = torchScriptVersion(3, "tiny-unet.pt", archive.toUri().toString());
            wrongHash.setWeightsSha256("0".repeat(64));
            assertThatThrownBy(() -> registry.install(wrongHash)).hasMessageContaining("not the published " + "0".repeat(64));
            assertThatThrownBy(() -> registry.install(torchScriptVersion(3, "tiny-unet.pt", "http://127.0.0.1:9/none.pt")))
                    .hasMessageContaining("could not be fetched");
            assertThat(registry.latestVersions()).as("still serving").containsEntry("mnist", 2);

            assertThat(registry.install(torchScriptVersion(3, "tiny-unet.pt", archive.toUri().toString())).latest())
                    .as("by reference, fetched and checked").isTrue();
            String sha = WeightsCodec.sha256Hex(java.nio.file.Files.readAllBytes(archive));
            assertThat(dir.resolve("cache").resolve(sha)).as("kept by its hash").exists();
        }
    }

    private static ModelVersion torchScriptVersion(int number, String archive, String uri) throws Exception {
        return ModelVersionPublisher.toRecord(SamplerFixtures.torchScriptModel("mnist", archive), number,
                java.time.Instant.ofEpochSecond(number), uri);
    }
}
