package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code denoise load-test} refuses a bad workload as a usage error, before it connects or sends. */
class LoadTestCommandTest {

    @Test
    void aBadMixIsAUsageErrorBeforeAnythingIsSent(@TempDir Path report) {
        CliRun sum = CliRun.of("load-test", "--mix", "8:4:0.5,40:256:0.4", "--report", report.toString());
        CliRun syntax = CliRun.of("load-test", "--mix", "8:4", "--report", report.toString());
        CliRun both = CliRun.of("load-test", "--mix", "8:4:1", "--steps", "20", "--report", report.toString());

        assertThat(sum.exitCode()).isEqualTo(2);
        assertThat(sum.err()).contains("--mix", "the shares add up to 0.9, not 1");
        assertThat(syntax.exitCode()).isEqualTo(2);
        assertThat(syntax.err()).contains("'8:4' is not STEPS:SEEDS_PER_REQUEST:SHARE");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("drop --steps and --batch-per-request");
    }
}
