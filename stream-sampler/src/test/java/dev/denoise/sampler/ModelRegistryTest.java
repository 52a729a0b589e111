package dev.denoise.sampler;

import static dev.denoise.sampler.SamplerFixtures.version;
import static dev.denoise.sampler.SamplerFixtures.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.denoise.diffusion.ComputeThread;
import dev.denoise.diffusion.WeightsPackage;
import org.junit.jupiter.api.Test;

class ModelRegistryTest {

    @Test
    void keepsABoundedNumberOfVersionsAndServesTheOneAnnouncedLast() throws Exception {
        try (ComputeThread compute = new ComputeThread("registry-test-compute");
             ModelRegistry registry = new ModelRegistry(Device.cpu(), compute, 3)) {
            for (int v = 1; v <= 4; v++) {
                assertThat(registry.install(version(v, weights(v)))).isTrue();
            }
            assertThat(registry.loadedVersions("mnist")).containsExactlyInAnyOrder(2, 3, 4);
            assertThat(registry.latestVersions()).containsEntry("mnist", 4);

            assertThat(registry.install(version(2, weights(2)))).as("already loaded").isFalse();
            assertThat(registry.latestVersions()).as("promoted").containsEntry("mnist", 2);
            LoadedModel served = registry.acquire("mnist", 0).orElseThrow();
            assertThat(served.version()).isEqualTo(2);
            registry.release(served);
            assertThat(registry.acquire("mnist", 1)).as("unloaded version").isEmpty();
            assertThat(registry.acquire("other", 0)).isEmpty();
        }
    }

    @Test
    void aVersionWithAWrongHashIsRefusedAndTheLatestKeepsServing() throws Exception {
        try (ComputeThread compute = new ComputeThread("registry-test-compute");
             ModelRegistry registry = new ModelRegistry(Device.cpu(), compute, 3)) {
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
}
