package dev.denoise.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.localstack.StackEndpoints;
import dev.denoise.testsupport.KafkaStackTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The soak in short: every image arrives across hot swaps, and each report names the version serving. */
@KafkaStackTest
class SoakBenchmarkTest {

    @Test
    void everyImageArrivesAcrossHotSwapsAndEachReportNamesTheVersionServing(StackEndpoints stack) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<SoakBenchmark.Sample> samples = new SoakBenchmark(new SoakBenchmark.Options(768, 2, 64, 2, 256, 256),
                new PrintStream(printed, true, StandardCharsets.UTF_8)).run(stack);

        assertThat(samples).extracting(SoakBenchmark.Sample::images).containsExactly(256, 512, 768);
        assertThat(samples).extracting(SoakBenchmark.Sample::version).containsExactly(1, 2, 3);
        assertThat(samples).allSatisfy(s -> assertThat(s.rssBytes()).as("read from /proc/self/status").isPositive());
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("serving v3").contains("drift from 256 images");
    }
}
