package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command and subcommand answers the standard help options; only {@code denoise} itself
 * answers {@code --version}: anywhere else it is a usage error, never a silent success.
 */
class CommandTreeTest {

    @Test
    void everyCommandAnswersHelpAndVersion() {
        List<List<String>> paths = new ArrayList<>();
        collect(DenoiseCli.commandLine(), new ArrayList<>(), paths);
        assertThat(paths).as("the tree was walked").contains(List.of("request"), List.of("stack", "up"),
                List.of("models", "promote"), List.of("benchmark", "sampler"));

        for (List<String> path : paths) {
            String name = String.join(" ", Stream.concat(Stream.of("denoise"), path.stream()).toList());
            for (String help : List.of("--help", "-h")) {
                CliRun run = CliRun.of(with(path, help));
                assertThat(run.exitCode()).as("%s %s: %s", name, help, run.err()).isZero();
                assertThat(run.out()).as("%s %s", name, help).contains("Usage: " + name);
            }
            for (String version : path.equals(List.of("help")) ? List.<String>of() : List.of("--version", "-V")) {
                CliRun run = CliRun.of(with(path, version)); // picocli's help command reads it as a command name
                assertThat(run.exitCode()).as("%s %s: %s", name, version, run.err()).isEqualTo(2);
                assertThat(run.out()).as("%s %s prints no version", name, version).doesNotContain("denoise-stream");
            }
        }
        for (String version : List.of("--version", "-V")) {
            CliRun run = CliRun.of(version);
            assertThat(run.exitCode()).as("denoise %s", version).isZero();
            assertThat(run.out()).startsWith("denoise-stream ");
        }
    }

    @Test
    void promoteWithAVersionFlagItDoesNotTakeIsAUsageErrorNotASilentSuccess() {
        CliRun run = CliRun.of("models", "promote", "--model", "mnist-cond", "--version", "1");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).doesNotContain("denoise-stream");
        assertThat(run.err()).contains("Missing required option: '--model-version=N'");

        CliRun both = CliRun.of("models", "promote", "--model", "mnist-cond", "--model-version", "1", "--version");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("Unknown option: '--version'");
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> paths) {
        command.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandName().equals(name)) {
                return; // an alias
            }
            List<String> subPath = new ArrayList<>(path);
            subPath.add(name);
            paths.add(subPath);
            collect(sub, subPath, paths);
        });
    }

    private static String[] with(List<String> path, String option) {
        return Stream.concat(path.stream(), Stream.of(option)).toArray(String[]::new);
    }
}
