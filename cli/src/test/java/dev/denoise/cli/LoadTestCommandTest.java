package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.client.loadtest.RequestedModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code denoise load-test}: the model it asks for, and a bad workload refused as a usage error,
 * before it connects or sends.
 */
class LoadTestCommandTest {

    @Test
    void theModelDefaultsToRequestsAndModelVersionPinsOne() {
        assertThat(requestedModel()).isEqualTo(new RequestedModel("mnist-cond", null));
        assertThat(requestedModel("--model", "mnist", "--model-version", "3")).isEqualTo(new RequestedModel("mnist", 3));
    }

    @Test
    void aModelVersionBelowOneIsAUsageError(@TempDir Path report) {
        CliRun run = CliRun.of("load-test", "--model-version", "0", "--report", report.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--model-version must be 1 or more, not 0");
    }

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

    /** What {@code load-test} with {@code options} would ask for, parsed as the CLI parses it. */
    private static RequestedModel requestedModel(String... options) {
        String[] args = new String[options.length + 3];
        args[0] = "load-test";
        System.arraycopy(options, 0, args, 1, options.length);
        args[options.length + 1] = "--report";
        args[options.length + 2] = "unused";
        LoadTestCommand command = (LoadTestCommand) DenoiseCli.commandLine().parseArgs(args).subcommand().commandSpec().userObject();
        return command.requestedModel();
    }
}
