package dev.denoise.client.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report.html and report.json from results made up here: no Kafka needed. */
class LoadReportTest {
    private static final Mix MIX = Mix.parse("8:4:0.8,40:256:0.2");
    private static final RequestedModel LATEST = new RequestedModel("mnist-cond", null);

    @Test
    void aSweepOfAMixGetsSettingsTablesAndChartsThatDecode(@TempDir Path dir) throws Exception {
        List<LoadTest.Result> runs = List.of(run(10, 150, 120), run(20, 300, 180), run(40, 360, 2500));

        LoadReport.write(dir, runs, new LoadReport.Setup(2000, LATEST, MIX, 1, List.of(10.0, 20.0, 40.0), 600));

        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("<table class=\"settings\">", "<tr><th>seeds per run</th><td>2000</td></tr>",
                "<tr><th>class 1</th><td>8 steps, 4 seeds a request, 80 % of requests</td></tr>",
                "<tr><th>class 2</th><td>40 steps, 256 seeds a request, 20 % of requests</td></tr>",
                "<tr><th>request rates</th><td>10 req/s, 20 req/s, 40 req/s</td></tr>",
                "<h2>Per class</h2>", ">40 steps, 256 seeds</td>");
        assertThat(html).doesNotContain("<script", "http://", "https://", "{seedsPerRun=");
        assertThat(imagesOf(html)).containsExactly(LoadReport.KNEE_PNG, LoadReport.THROUGHPUT_PNG,
                LoadReport.percentilesPng(0), LoadReport.percentilesPng(1), LoadReport.percentilesPng(2));
        for (String png : imagesOf(html)) {
            BufferedImage image = ImageIO.read(dir.resolve(png).toFile());
            assertThat(image).as(png).isNotNull();
            assertThat(image.getWidth()).as(png).isEqualTo(LoadCharts.WIDTH);
        }
    }

    @Test
    void oneRunHasNoKneeChartAndNoClassTableForASingleClass(@TempDir Path dir) throws Exception {
        LoadTest.Result single = result(0, 500, List.of(classResult(Mix.single(8, 16).classes().get(0), 500, 90)));

        LoadReport.write(dir, List.of(single), new LoadReport.Setup(2000, LATEST, Mix.single(8, 16), 1, List.of(0.0), 600));

        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("<tr><th>requests</th><td>8 steps, 16 seeds a request</td></tr>",
                "<tr><th>request rates</th><td>as fast as possible</td></tr>");
        assertThat(html).doesNotContain("Per class", "class draw seed", LoadReport.KNEE_PNG);
        assertThat(dir.resolve(LoadReport.KNEE_PNG)).doesNotExist();
        for (String png : imagesOf(html)) {
            assertThat(ImageIO.read(dir.resolve(png).toFile())).as(png).isNotNull();
        }
    }

    @Test
    void theJsonKeepsTheOverallFiguresAndAddsEachClass(@TempDir Path dir) throws Exception {
        LoadReport.write(dir, List.of(run(10, 150, 120)), new LoadReport.Setup(2000, LATEST, MIX, 3, List.of(10.0), 600));

        JsonNode json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertThat(json.path("mixSeed").asLong()).isEqualTo(3);
        assertThat(json.path("mix").get(1).path("steps").asInt()).isEqualTo(40);
        JsonNode run = json.path("runs").get(0);
        assertThat(run.path("imagesReceived").asInt()).isEqualTo(150 * 10);
        assertThat(run.path("latencyMs").path("p50").asLong()).isPositive();
        JsonNode slow = run.path("classes").get(1);
        assertThat(slow.path("steps").asInt()).isEqualTo(40);
        assertThat(slow.path("seedsPerRequest").asInt()).isEqualTo(256);
        assertThat(slow.path("latencyMs").path("p99").asLong()).isGreaterThanOrEqualTo(slow.path("latencyMs").path("p50").asLong());
        assertThat(slow.path("latencyPercentiles").size()).isPositive();
    }

    @Test
    void theReportNamesTheModelAskedForAndEachVersionTheImagesCameFrom(@TempDir Path dir) throws Exception {
        // A pinned version is asked for, yet the images name what made them: here two versions, as during a swap.
        LoadTest.Sent first = new LoadTest.Sent(1_000, 2, 0);
        LoadTest.Sent second = new LoadTest.Sent(1_000, 1, 0);
        LoadTally tally = new LoadTally(Mix.single(8, 2), 1_000);
        tally.image(first, LoadTallyTest.image("first", 0, "mnist", 3), 1_100);
        tally.image(first, LoadTallyTest.image("first", 1, "mnist", 3), 1_200);
        tally.image(second, LoadTallyTest.image("second", 0, "mnist", 4), 1_300);
        LoadTest.Result run = tally.result(10, 3, List.of(first, second), 2_000);

        LoadReport.write(dir, List.of(run), new LoadReport.Setup(3, new RequestedModel("mnist", 3), Mix.single(8, 2), 1,
                List.of(10.0), 600));

        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("<tr><th>model asked for</th><td>mnist, version 3 (pinned)</td></tr>", "<h2>Served by</h2>",
                "<tr><td>10</td><td class=\"name\">mnist</td><td>3</td><td>2</td></tr>",
                "<tr><td>10</td><td class=\"name\">mnist</td><td>4</td><td>1</td></tr>");
        JsonNode json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertThat(json.path("model").asText()).isEqualTo("mnist");
        assertThat(json.path("pinnedVersion").asInt()).isEqualTo(3);
        JsonNode servedBy = json.path("runs").get(0).path("servedBy");
        assertThat(servedBy).hasSize(2);
        assertThat(servedBy.get(0).path("model").asText()).isEqualTo("mnist");
        assertThat(servedBy.get(0).path("version").asInt()).isEqualTo(3);
        assertThat(servedBy.get(0).path("images").asInt()).isEqualTo(2);
        assertThat(servedBy.get(1).path("version").asInt()).isEqualTo(4);
        assertThat(servedBy.get(1).path("images").asInt()).isEqualTo(1);
    }

    @Test
    void anUnpinnedRunThatGotNoImagesSaysSo(@TempDir Path dir) throws Exception {
        LoadTest.Result nothing = new LoadTally(Mix.single(8, 16), 0).result(0, 16, List.of(new LoadTest.Sent(0, 16, 0)), 1_000);

        LoadReport.write(dir, List.of(nothing), new LoadReport.Setup(16, LATEST, Mix.single(8, 16), 1, List.of(0.0), 600));

        assertThat(Files.readString(dir.resolve("report.html"))).contains(
                "<tr><th>model asked for</th><td>mnist-cond, the latest version</td></tr>",
                "<tr><td>max</td><td class=\"name\">no images</td><td></td><td>0</td></tr>");
        JsonNode json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertThat(json.path("pinnedVersion").isNull()).isTrue();
        assertThat(json.path("runs").get(0).path("servedBy")).isEmpty();
    }

    /** A run of both classes: the long one's images wait longer. */
    private static LoadTest.Result run(double rate, double imagesPerSecond, long p50Ms) {
        return result(rate, imagesPerSecond, List.of(
                classResult(MIX.classes().get(0), imagesPerSecond * 0.2, p50Ms),
                classResult(MIX.classes().get(1), imagesPerSecond * 0.8, p50Ms * 3)));
    }

    private static LoadTest.Result result(double rate, double imagesPerSecond, List<LoadTest.ClassResult> classes) {
        Histogram all = new Histogram(3_600_000L, 3);
        classes.forEach(c -> c.latency().distribution().forEach(p -> all.recordValue(p.ms())));
        List<long[]> timeline = new ArrayList<>();
        for (long second = 0; second < 10; second++) {
            timeline.add(new long[] {second, (long) imagesPerSecond - second % 3 * 10, 100});
        }
        int received = (int) imagesPerSecond * 10;
        return new LoadTest.Result(rate, received, received, 0, 0, Map.of(), imagesPerSecond, Latency.of(all), timeline, classes,
                List.of(new ServedVersion("mnist-cond", 1, received)), 0);
    }

    private static LoadTest.ClassResult classResult(Mix.RequestClass requestClass, double imagesPerSecond, long p50Ms) {
        Histogram latency = new Histogram(3_600_000L, 3);
        for (int i = 1; i <= 1000; i++) {
            latency.recordValue(p50Ms * i / 500); // an even spread up to twice the median
        }
        return new LoadTest.ClassResult(requestClass, 100, 1000, 1000, 0, imagesPerSecond, Latency.of(latency));
    }

    private static List<String> imagesOf(String html) {
        List<String> sources = new ArrayList<>();
        Matcher img = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
        while (img.find()) {
            sources.add(img.group(1));
        }
        return sources;
    }
}
