package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.PngImages;
import dev.denoise.diffusion.TorchScriptArchitecture;
import dev.denoise.diffusion.WeightsPackage;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.ModelCatalogue;
import dev.denoise.testsupport.Await;
import dev.denoise.testsupport.KafkaStackTest;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model trained elsewhere, end to end through the CLI: `models publish --torchscript` refuses
 * an archive that breaks its contract before anything reaches the topic, publishes a good one (by
 * reference here), and `request --label NAME` gets RGB images at the model's size, byte for byte
 * the ones sampling the archive in process gives.
 */
@KafkaStackTest
class TorchScriptPublishTest {
    private static final Path FIXTURES = Path.of("..", "diffusion", "src", "test", "resources", "torchscript");
    private static final String SCHEDULER = """
            {"_class_name": "DDIMScheduler", "beta_schedule": "squaredcos_cap_v2", "prediction_type": "v_prediction",
             "timestep_spacing": "trailing", "thresholding": false, "dynamic_thresholding_ratio": 0.995}""";

    private static String[] publish(ServingFixture serving, Path archive, Path config, String... more) {
        List<String> args = new ArrayList<>(List.of("models", "publish", "--torchscript", archive.toString(),
                "--scheduler-config", config.toString(), "--image", "3x16x16", "--classes", "4",
                "--class-names", "red,green,blue,grey", "--default-steps", "6", "--model", "tiny"));
        args.addAll(List.of(more));
        return serving.args(args.toArray(String[]::new));
    }

    @Test
    void refusesWhatBreaksTheContractAndServesWhatKeepsIt(StackEndpoints stack, @TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("scheduler_config.json"), SCHEDULER);
        try (ServingFixture serving = new ServingFixture(stack)) {
            assertRefused(publish(serving, FIXTURES.resolve("wrong-shape.pt"), config),
                    "gave shape (4, 3, 8, 8) for input (4, 3, 16, 16)");
            assertRefused(publish(serving, FIXTURES.resolve("nan-output.pt"), config), "non-finite output (NaN)");
            assertRefused(publish(serving, config, config), "the TorchScript archive does not load");
            Path sigmoid = Files.writeString(dir.resolve("sigmoid.json"), "{\"beta_schedule\": \"sigmoid\"}");
            assertRefused(publish(serving, FIXTURES.resolve("tiny-unet.pt"), sigmoid), "beta_schedule 'sigmoid' is not supported");
            assertRefused(publish(serving, FIXTURES.resolve("tiny-unet.pt"), dir.resolve("none.json")), "No scheduler config at");
            assertRefused(publish(serving, FIXTURES.resolve("tiny-unet.pt"), config, "--weights-uri", "http://127.0.0.1:9/tiny.pt"),
                    "could not be fetched");
            assertThat(ModelCatalogue.read(serving.connection).versionNumbers("tiny")).as("nothing reached the topic").isEmpty();

            Path archive = FIXTURES.resolve("tiny-unet.pt").toAbsolutePath().normalize();
            CliRun published = CliRun.of(publish(serving, archive, config, "--weights-uri", archive.toUri().toString()));
            assertThat(published.exitCode()).as(published.err()).isZero();
            assertThat(published.out()).contains("Published tiny version 1").contains("by reference to file:");
            assertThat(published.err()).contains("warning: scheduler config keys ignored").contains("dynamic_thresholding_ratio");
            Await.until("tiny v1 serving", () -> serving.sampler.registry().latestVersions().getOrDefault("tiny", 0) == 1);

            Path out = dir.resolve("images");
            CliRun request = CliRun.of(serving.args("request", "--model", "tiny", "--seeds", "3,4,5", "--label", "green",
                    "--wait", "--out", out.toString()));
            assertThat(request.exitCode()).as(request.err()).isZero();
            assertThat(request.out()).contains("3 images from tiny v1, 6 steps");

            TorchScriptArchitecture contract = TorchScriptArchitecture.of(ModelCatalogue.read(serving.connection)
                    .version("tiny", 1).orElseThrow().getHyperParameters());
            List<byte[]> expected;
            byte[] bytes = Files.readAllBytes(archive);
            try (Denoiser denoiser = Denoiser.load(contract, WeightsPackage.of(contract, bytes), Device.cpu())) {
                expected = contract.family().defaultSampler().sample(denoiser, new long[] {3, 4, 5}, new int[] {1, 1, 1},
                        2f, 6);
            }
            for (int i = 0; i < 3; i++) {
                long seed = 3 + i;
                Path png;
                try (Stream<Path> files = Files.list(out)) {
                    png = files.filter(f -> f.getFileName().toString().contains("-seed" + seed + "-tiny-v1")).findFirst()
                            .orElseThrow();
                }
                BufferedImage image = ImageIO.read(png.toFile());
                assertThat(image.getWidth()).isEqualTo(16);
                assertThat(image.getColorModel().getNumColorComponents()).as("RGB").isEqualTo(3);
                assertThat(Files.readAllBytes(png)).as("seed %d as sampled in process", seed)
                        .isEqualTo(PngImages.encode(expected.get(i), 16, 16, 3));
            }
            assertThat(out.resolve("sheet.png")).exists();

            CliRun unknownName = CliRun.of(serving.args("request", "--model", "tiny", "--seeds", "1", "--label", "purple"));
            assertThat(unknownName.exitCode()).isEqualTo(1);
            assertThat(unknownName.err()).contains("Model tiny has no class 'purple'; its classes: [red, green, blue, grey]");
        }
    }

    private static void assertRefused(String[] args, String reason) {
        CliRun run = CliRun.of(args);
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.err()).contains(reason).doesNotContain("\tat ");
    }
}
