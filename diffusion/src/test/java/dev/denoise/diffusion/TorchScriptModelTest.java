package dev.denoise.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A TorchScript model's contract and the checks it passes before it serves: an archive that does
 * not load, a wrong hash, a wrong output shape and non-finite output are each refused with the
 * reason; a good archive (the parity fixture's U-Net) loads, passes and samples.
 */
class TorchScriptModelTest {

    static byte[] resource(String name) throws IOException {
        try (InputStream in = TorchScriptModelTest.class.getResourceAsStream("/torchscript/" + name)) {
            assertThat(in).as("test resource torchscript/%s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static TorchScriptArchitecture contract(String image, int classes) {
        return new TorchScriptArchitecture(TorchScriptArchitecture.parseShape(image), classes, classes, List.of(),
                SchedulerConfig.parseJson("{}", w -> { }), 20, 2f);
    }

    private static void loadAndCheck(TorchScriptArchitecture architecture, byte[] archive) {
        try (Denoiser denoiser = Denoiser.load(architecture, WeightsPackage.of(architecture, archive), Device.cpu())) {
            ForwardCheck.run(denoiser);
        }
    }

    @Test
    void theContractTravelsAsHyperParametersAndComesBackTheSame() {
        TorchScriptArchitecture architecture = new TorchScriptArchitecture(new Shape(3, 32, 48), 3, 3,
                List.of("circle", "square", "triangle"), SchedulerConfig.parseJson("{\"prediction_type\": \"v_prediction\"}",
                        w -> { }), 12, 3f);
        TorchScriptArchitecture back = (TorchScriptArchitecture) ModelFamilies.architecture(TorchScriptArchitecture.NAME,
                architecture.hyperParameters());
        assertThat(back.hyperParameters()).isEqualTo(architecture.hyperParameters());
        assertThat(back.imageShape()).isEqualTo(new Shape(3, 32, 48));
        assertThat(back.classNames()).containsExactly("circle", "square", "triangle");
        assertThat(back.family().defaultSteps()).isEqualTo(12);
        assertThat(back.family().defaultGuidance()).isEqualTo(3f);
        assertThat(back.family().samplerNames()).containsExactly("dpm-solver", "ddim", "ddpm");
    }

    @Test
    void aContractOutsideWhatIsServedIsRefusedByName() {
        Map<String, String> good = contract("3x16x16", 4).hyperParameters();
        Map<String, String> grey = new HashMap<>(good);
        grey.put("image", "2x16x16");
        assertThatThrownBy(() -> TorchScriptArchitecture.of(grey)).isInstanceOf(WeightsMismatchException.class)
                .hasMessageContaining("C 1 (grey) or 3 (RGB), not 2x16x16");
        Map<String, String> tiny = new HashMap<>(good);
        tiny.put("image", "3x4x16");
        assertThatThrownBy(() -> TorchScriptArchitecture.of(tiny)).hasMessageContaining("8 to 256, not 3x4x16");
        Map<String, String> names = new HashMap<>(good);
        names.put("class_names", "a,b");
        assertThatThrownBy(() -> TorchScriptArchitecture.of(names)).hasMessageContaining("2 class names for 4 classes");
        Map<String, String> schedule = new HashMap<>(good);
        schedule.put("scheduler.beta_schedule", "sigmoid");
        assertThatThrownBy(() -> TorchScriptArchitecture.of(schedule)).hasMessageContaining("beta_schedule 'sigmoid' is not supported");
        Map<String, String> missing = new HashMap<>(good);
        missing.remove("image");
        assertThatThrownBy(() -> TorchScriptArchitecture.of(missing)).hasMessageContaining("'image', e.g. 3x32x32) is missing");
    }

    @Test
    void anArchiveThatDoesNotLoadIsRefused() {
        byte[] garbage = "not a zip archive at all".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThatThrownBy(() -> loadAndCheck(contract("3x16x16", 4), garbage))
                .isInstanceOf(WeightsMismatchException.class).hasMessageStartingWith("the TorchScript archive does not load");
    }

    @Test
    void weightsThatDoNotHashToThePublishedValueAreRefused() throws IOException {
        TorchScriptArchitecture architecture = contract("3x16x16", 4);
        WeightsPackage wrong = new WeightsPackage(TorchScriptArchitecture.NAME, architecture.hyperParameters(),
                resource("tiny-unet.pt"), "0".repeat(64));
        assertThatThrownBy(() -> Denoiser.load(architecture, wrong, Device.cpu()))
                .hasMessageContaining("SHA-256").hasMessageContaining("not the published " + "0".repeat(64));
    }

    @Test
    void aModuleThatReturnsAnotherShapeIsRefused() throws IOException {
        assertThatThrownBy(() -> loadAndCheck(contract("3x16x16", 4), resource("wrong-shape.pt")))
                .hasMessageContaining("gave shape (4, 3, 8, 8) for input (4, 3, 16, 16)");
    }

    @Test
    void aModuleWithNonFiniteOutputIsRefused() throws IOException {
        assertThatThrownBy(() -> loadAndCheck(contract("3x16x16", 4), resource("nan-output.pt")))
                .hasMessageContaining("non-finite output (NaN)");
    }

    @Test
    void aModuleDeclaredWithAnotherImageShapeIsRefused() throws IOException {
        // The fixture U-Net is 3x16x16; declared grey, its first convolution cannot take one channel.
        assertThatThrownBy(() -> loadAndCheck(contract("1x16x16", 4), resource("tiny-unet.pt")))
                .hasMessageContaining("forward pass on a batch of 4 failed");
    }

    @Test
    void aGoodModuleLoadsPassesAndSamplesTheSameImageFromTheSameSeed() throws IOException {
        TorchScriptArchitecture architecture = contract("3x16x16", 4);
        byte[] archive = resource("tiny-unet.pt");
        loadAndCheck(architecture, archive);
        try (Denoiser denoiser = Denoiser.load(architecture, WeightsPackage.of(architecture, archive), Device.cpu())) {
            Sampler sampler = architecture.family().defaultSampler();
            List<byte[]> first = sampler.sample(denoiser, new long[] {7, 8}, new int[] {1, architecture.noClass()}, 2f, 5);
            List<byte[]> again = sampler.sample(denoiser, new long[] {7, 8}, new int[] {1, architecture.noClass()}, 2f, 5);
            assertThat(first.get(0)).hasSize(3 * 16 * 16).isEqualTo(again.get(0));
            assertThat(first.get(1)).isEqualTo(again.get(1));
            assertThat(first.get(0)).isNotEqualTo(first.get(1));
        }
    }
}
