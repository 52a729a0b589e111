package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.denoise.bench.EvaluationTargets;
import dev.denoise.localstack.ProjectHome;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.testsupport.KafkaStackTest;
import dev.denoise.trainer.SampleEvaluation;
import dev.denoise.trainer.TrainedModel;
import dev.denoise.trainer.TrainedModelFiles;
import dev.denoise.trainer.TrainingListener;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped class-conditioned models, served through Kafka as a user asks for them: 100 seeds of
 * each digit at the model's defaults (8 guided ddim steps for mnist-cond, one flow-map pass for its
 * distilled student mnist-fast), and the project's digit classifier reads the digit asked for in at
 * least the family's target share of the images.
 */
@KafkaStackTest
class ShippedModelTest {
    @Test
    void hundredSeedsOfEachDigitThroughKafkaAreReadAsTheirDigit(StackEndpoints stack, @TempDir Path out) throws Exception {
        readAsAsked(stack, out, ProjectHome.SHIPPED_CONDITIONED, "1000 images from mnist-cond v1, 8 steps");
    }

    @Test
    void theDistilledModelAtOnePassIsReadAsTheAskedDigitToo(StackEndpoints stack, @TempDir Path out) throws Exception {
        readAsAsked(stack, out, ProjectHome.SHIPPED_FAST, "1000 images from mnist-fast v1, 1 step;");
    }

    /** Publishes a shipped model, asks it for 100 seeds of each digit at its defaults, and judges the images. */
    private static void readAsAsked(StackEndpoints stack, Path out, String shipped, String summary) throws Exception {
        TrainedModel model = TrainedModelFiles.read(ProjectHome.root().resolve(shipped));
        try (ServingFixture serving = new ServingFixture(stack)) {
            serving.publishAndAwait(model);
            CliRun run = CliRun.of(serving.args("request", "--model", model.modelName(), "--label", "all", "--seeds",
                    "0..999", "--wait", "--out", out.toString(), "--timeout", "600"));
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).as("the model's default steps").contains(summary);
        }
        Pattern file = Pattern.compile(".*-digit(\\d)-seed(\\d+)-" + model.modelName() + "-v\\d+\\.png");
        List<byte[]> images = new ArrayList<>();
        List<Integer> asked = new ArrayList<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path path : files.sorted().toList()) {
                Matcher m = file.matcher(path.getFileName().toString());
                if (m.matches()) {
                    assertThat(Long.parseLong(m.group(2)) % 10).as(path.toString()).isEqualTo(Integer.parseInt(m.group(1)));
                    images.add(greyPixels(path));
                    asked.add(Integer.parseInt(m.group(1)));
                }
            }
        }
        assertThat(images).hasSize(1000);
        assertThat(asked.stream().filter(d -> d == 7).count()).as("sevens asked for").isEqualTo(100);

        try (SampleEvaluation evaluation = SampleEvaluation.open(ProjectHome.shippedMnist(), 1000,
                ProjectHome.root().resolve("cli/target/classifier-cache"), 0, Device.cpu(), new TrainingListener() {})) {
            SampleEvaluation.Verdict verdict = evaluation.judge(images,
                    asked.stream().mapToInt(Integer::intValue).toArray());
            System.out.printf(Locale.ROOT, "%s through Kafka: label accuracy %.3f, confidence %.3f, Frechet %.1f (floor %.1f)%n",
                    model.modelName(), verdict.labelAccuracy(), verdict.confidence(), verdict.frechetDistance(),
                    verdict.realFloor());
            EvaluationTargets targets = EvaluationTargets.of(model.architecture());
            assertThat(verdict.labelAccuracy()).as("label accuracy").isGreaterThanOrEqualTo(targets.labelAccuracy());
            assertThat(verdict.confidence()).as("confidence").isGreaterThanOrEqualTo(targets.confidence());
        }
    }

    private static byte[] greyPixels(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(28);
        byte[] pixels = new byte[28 * 28];
        image.getRaster().getDataElements(0, 0, 28, 28, pixels);
        return pixels;
    }
}
