package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.localstack.StackEndpoints;
import dev.denoise.testsupport.KafkaStackTest;
import dev.denoise.trainer.TrainedModelFiles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publishing (the same weights twice refused), listing and promoting versions, seen in the versions
 * of the images a running sampler makes.
 */
@KafkaStackTest
class ModelsCommandTest {

    @Test
    void publishListAndPromoteSwitchTheServingVersion(StackEndpoints stack, @TempDir Path dir) throws Exception {
        try (ServingFixture serving = new ServingFixture(stack)) {
            TrainedModelFiles.write(ServingFixture.model(2), dir);
            CliRun publish = CliRun.of(serving.args("models", "publish", "--file", dir.resolve("mnist.weights").toString()));
            assertThat(publish.exitCode()).as(publish.err()).isZero();
            assertThat(publish.out()).contains("Published mnist version 2");
            CliRun again = CliRun.of(serving.args("models", "publish", "--file", dir.resolve("mnist.weights").toString()));
            assertThat(again.exitCode()).isEqualTo(1);
            // contains, not startsWith: the in-process sampler's log lines share stderr
            assertThat(again.err()).contains("denoise: model 'mnist' version 2 already has these weights (sha256 ")
                    .contains("nothing published").doesNotContain("Exception", "\tat ");
            serving.awaitVersion(2);
            assertThat(versionOfNextImage(serving, dir.resolve("a"))).isEqualTo("v2");

            CliRun list = CliRun.of(serving.args("models", "list"));
            assertThat(list.exitCode()).as(list.err()).isZero();
            assertThat(list.out().lines().filter(l -> l.startsWith("mnist"))).hasSize(2);
            assertThat(list.out().lines().filter(l -> l.contains("latest"))).singleElement()
                    .satisfies(l -> assertThat(l).matches("mnist\\s+2 .*latest,serving"));

            CliRun promote = CliRun.of(serving.args("models", "promote", "--model", "mnist", "--model-version", "1"));
            assertThat(promote.exitCode()).as(promote.err()).isZero();
            serving.awaitVersion(1);
            assertThat(versionOfNextImage(serving, dir.resolve("b"))).isEqualTo("v1");
            CliRun afterPromotion = CliRun.of(serving.args("models", "list"));
            assertThat(afterPromotion.out().lines().filter(l -> l.matches("mnist\\s+1 .*"))).singleElement()
                    .satisfies(l -> assertThat(l).endsWith("latest,serving"));

            CliRun unknown = CliRun.of(serving.args("models", "promote", "--model", "mnist", "--model-version", "9"));
            assertThat(unknown.exitCode()).isEqualTo(1);
            assertThat(unknown.err()).contains("has no version 9").contains("[1, 2]");
        }
    }

    private static String versionOfNextImage(ServingFixture serving, Path out) {
        CliRun run = CliRun.of(serving.args("request", "--model", "mnist", "--seeds", "5", "--steps", "2", "--wait", "--out", out.toString()));
        assertThat(run.exitCode()).as(run.err()).isZero();
        String line = run.out().lines().filter(l -> l.contains("images from")).findFirst().orElseThrow();
        return line.replaceAll(".*images from mnist (v\\d+).*", "$1");
    }
}
