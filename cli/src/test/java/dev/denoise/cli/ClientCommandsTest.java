package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.denoise.client.loadtest.LoadReport;
import dev.denoise.localstack.FreePorts;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.testsupport.KafkaStackTest;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client commands against a real broker, registry and a running sampler. */
@KafkaStackTest
class ClientCommandsTest {
    private static ServingFixture serving;

    @BeforeAll
    static void startServing(StackEndpoints stack) throws Exception {
        serving = new ServingFixture(stack);
    }

    @AfterAll
    static void stopServing() {
        if (serving != null) {
            serving.close();
        }
    }

    @Test
    void requestWithWaitWritesOneValidPngPerSeedAndASheet(@TempDir Path out) throws Exception {
        CliRun run = CliRun.of(serving.args("request", "--model", "mnist", "--seeds", "0..9,42", "--steps", "4", "--wait",
                "--out", out.toString(), "--timeout", "60"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        String requestId = run.out().lines().findFirst().orElseThrow();
        List<Path> pngs = pngs(out, requestId);
        assertThat(pngs).hasSize(11);
        for (Path png : pngs) {
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image.getWidth()).isEqualTo(28);
            assertThat(image.getHeight()).isEqualTo(28);
        }
        assertThat(out.resolve(requestId + "-seed42-mnist-v1.png")).exists();
        assertThat(ImageIO.read(out.resolve("sheet.png").toFile()).getWidth()).isGreaterThan(28 * 8);
        assertThat(run.out()).contains("11 images from mnist v1");
    }

    @Test
    void labelAllSpreadsTheSeedsOverTheTenDigitsOfTheDefaultConditionedModel(@TempDir Path out) throws Exception {
        serving.publishConditioned();
        CliRun run = CliRun.of(serving.args("request", "--label", "all", "--seeds", "0..19", "--steps", "2", "--wait",
                "--out", out.toString(), "--timeout", "120"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> requestIds = run.out().lines().filter(l -> l.contains("-digit")).toList();
        assertThat(requestIds).as("one request per digit").hasSize(10)
                .allSatisfy(id -> assertThat(id).matches(".*-digit\\d"));
        assertThat(out.resolve(requestIds.get(3) + "-seed13-mnist-cond-v1.png")).as("seed 13 asks for a 3").exists();
        assertThat(run.out()).contains("20 images from mnist-cond v1");
        assertThat(ImageIO.read(out.resolve("sheet.png").toFile()).getHeight()).as("a row per digit")
                .isGreaterThan(28 * 2 * 9);

        CliRun notADigit = CliRun.of(serving.args("request", "--label", "x", "--seeds", "1"));
        assertThat(notADigit.exitCode()).as("a name the model does not publish").isEqualTo(1);
        assertThat(notADigit.err()).contains("Model mnist-cond publishes no class names; --label takes a class index 0-9");
        CliRun negative = CliRun.of(serving.args("request", "--label", "-3", "--seeds", "1"));
        assertThat(negative.exitCode()).isEqualTo(2);
        assertThat(negative.err()).contains("--label takes a class index");
    }

    @Test
    void imagesWritesWhatWasProduced(@TempDir Path first, @TempDir Path second) throws Exception {
        CliRun request = CliRun.of(serving.args("request", "--model", "mnist", "--count", "5", "--random", "--steps", "3", "--wait",
                "--out", first.toString()));
        String requestId = request.out().lines().findFirst().orElseThrow();

        // No --from-beginning: a request's images were written before the command ran, so --request reads them all.
        CliRun images = CliRun.of(serving.args("images", "--request", requestId,
                "--out", second.toString(), "--sheet", second.resolve("sheet.png").toString()));

        assertThat(images.exitCode()).as(images.err()).isZero();
        assertThat(pngs(second, requestId)).hasSize(5);
        for (Path png : pngs(first, requestId)) {
            assertThat(Files.readAllBytes(second.resolve(png.getFileName()))).isEqualTo(Files.readAllBytes(png));
        }
        assertThat(second.resolve("sheet.png")).exists();
    }

    @Test
    void imagesOfARequestThatHasNoneIsAnErrorThatSaysWhy(@TempDir Path out) {
        CliRun images = CliRun.of(serving.args("images", "--request", "no-such-request", "--out", out.toString()));

        assertThat(images.exitCode()).isEqualTo(1);
        assertThat(images.err()).contains("no images of request no-such-request on ");
    }

    @Test
    void loadTestOfTwoThousandSeedsMissesNothingAndReportsPercentiles(@TempDir Path report) throws Exception {
        CliRun run = CliRun.of(serving.args("load-test", "--model", "mnist", "--seeds", "2000", "--max", "--steps", "2",
                "--batch-per-request", "50", "--report", report.toString()));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("served by:\\n.*\\n\\s+max mnist\\s+1\\s+2000\\n");
        JsonNode json = new ObjectMapper().readTree(report.resolve("report.json").toFile());
        assertThat(json.path("model").asText()).isEqualTo("mnist");
        JsonNode result = json.path("runs").get(0);
        assertThat(result.path("imagesReceived").asInt()).isEqualTo(2000);
        assertThat(result.path("servedBy")).singleElement().satisfies(served -> {
            assertThat(served.path("model").asText()).isEqualTo("mnist");
            assertThat(served.path("version").asInt()).isEqualTo(1);
            assertThat(served.path("images").asInt()).isEqualTo(2000);
        });
        assertThat(result.path("missing").asInt()).isZero();
        assertThat(result.path("duplicates").asInt()).isZero();
        JsonNode latency = result.path("latencyMs");
        assertThat(latency.path("p50").asLong()).isPositive();
        assertThat(latency.path("p50").asLong()).isLessThanOrEqualTo(latency.path("p90").asLong());
        assertThat(latency.path("p90").asLong()).isLessThanOrEqualTo(latency.path("p99").asLong());
        assertThat(latency.path("p99").asLong()).isLessThanOrEqualTo(latency.path("max").asLong());
        assertThat(result.path("imagesPerSecond").asDouble()).isPositive();
        assertThat(Files.readString(report.resolve("report.html"))).contains("<img src=\"" + LoadReport.THROUGHPUT_PNG + "\"");
        assertThat(ImageIO.read(report.resolve(LoadReport.THROUGHPUT_PNG).toFile())).isNotNull();
    }

    @Test
    void aMixedLoadTestReportsEachClassAndStopsAtTheTotalSeeds(@TempDir Path report) throws Exception {
        CliRun run = CliRun.of(serving.args("load-test", "--model", "mnist", "--model-version", "1", "--seeds", "500", "--max",
                "--mix", "2:10:0.75,3:40:0.25", "--report", report.toString()));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("per class:", "2 steps, 10 seeds", "3 steps, 40 seeds");
        JsonNode result = new ObjectMapper().readTree(report.resolve("report.json").toFile()).path("runs").get(0);
        assertThat(result.path("imagesReceived").asInt()).isEqualTo(500);
        JsonNode classes = result.path("classes");
        assertThat(classes.get(0).path("imagesReceived").asInt() + classes.get(1).path("imagesReceived").asInt()).isEqualTo(500);
        for (JsonNode c : classes) {
            assertThat(c.path("requests").asInt()).isPositive();
            assertThat(c.path("missing").asInt()).isZero();
            assertThat(c.path("latencyMs").path("p99").asLong()).isGreaterThanOrEqualTo(c.path("latencyMs").path("p50").asLong());
        }
    }

    @Test
    void aRefusedRequestExitsNonZeroWithTheReason(@TempDir Path out) {
        CliRun run = CliRun.of(serving.args("request", "--model", "mnist", "--seeds", "1", "--steps", "0", "--wait", "--out", out.toString()));

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("INVALID_STEPS");
    }

    @Test
    void anUnknownModelOrVersionIsRefusedByTheSamplerWithWhatThereIs(@TempDir Path out) {
        CliRun model = CliRun.of(serving.args("request", "--seeds", "1", "--model", "no-such-model", "--wait",
                "--out", out.toString(), "--timeout", "60"));
        CliRun version = CliRun.of(serving.args("request", "--model", "mnist", "--seeds", "1", "--model-version", "7",
                "--wait", "--out", out.toString(), "--timeout", "60"));

        assertThat(model.exitCode()).isEqualTo(1);
        assertThat(model.err()).contains("UNKNOWN_MODEL", "'no-such-model'", "models served: [", "mnist");
        assertThat(version.exitCode()).isEqualTo(1);
        assertThat(version.err()).contains("UNKNOWN_VERSION", "has no version 7; loaded: [1]");
    }

    @Test
    void aRequestIsSentWithoutReadingTheModelsFirst() {
        // The sampler judges the model (a request may come before its model is published), so the
        // client sends at once and leaves the steps to the model's family.
        CliRun run = CliRun.of(serving.args("request", "--seeds", "1", "--model", "published-later"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().strip()).matches("[0-9a-f-]{36}");
    }

    @Test
    void anUnreachableRegistryIsNamed() {
        String url = "http://127.0.0.1:" + FreePorts.find() + "/apis/ccompat/v7";
        CliRun run = CliRun.of("request", "--model", "mnist", "--seeds", "1", "--bootstrap-server", serving.stack.bootstrapServers(),
                "--schema-registry-url", url, "--topic-prefix", serving.connection.topicPrefix());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("denoise: Schema registry at " + url + " is unreachable");
    }

    @Test
    void malformedSeedsAreAUsageError() {
        CliRun run = CliRun.of(serving.args("request", "--model", "mnist", "--seeds", "3..x"));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Malformed seeds '3..x'");
    }

    @Test
    void anUnwritableOutputFolderIsNamed(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        CliRun run = CliRun.of(serving.args("images", "--out", file.resolve("sub").toString()));

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("Cannot write images to " + file.resolve("sub"));
    }

    @Test
    void anUnreachableBrokerIsNamedWithinTheTimeout() {
        String address = "127.0.0.1:" + FreePorts.find();
        CliRun run = CliRun.of("request", "--seeds", "1", "--bootstrap-server", address,
                "--schema-registry-url", serving.stack.schemaRegistryUrl());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("denoise: Kafka at " + address + " did not answer");
    }

    private static List<Path> pngs(Path dir, String requestId) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(requestId)).toList();
        }
    }
}
