package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.localstack.ProjectHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The {@code --help} a module's README shows is the command's own: each block between
 * {@code <!-- help:COMMAND -->} and {@code <!-- /help -->} must equal {@code denoise COMMAND --help}.
 * Run with {@code -Ddenoise.regenerate=true} to rewrite the blocks after changing a command.
 */
class ReadmeHelpTest {
    private static final Pattern BLOCK = Pattern.compile(
            "(<!-- help:([a-z -]+) -->\\n```\\n\\$ denoise \\2 --help\\n)(.*?)(```\\n<!-- /help -->)", Pattern.DOTALL);

    @Test
    void everyHelpBlockInAModuleReadmeIsTheCommandsOwn() throws IOException {
        boolean regenerate = Boolean.getBoolean("denoise.regenerate");
        List<String> stale = new ArrayList<>();
        int blocks = 0;
        for (Path readme : moduleReadmes()) {
            String text = Files.readString(readme);
            Matcher m = BLOCK.matcher(text);
            StringBuilder rewritten = new StringBuilder();
            while (m.find()) {
                blocks++;
                String help = help(m.group(2));
                if (!help.equals(m.group(3))) {
                    stale.add(ProjectHome.root().relativize(readme) + ": denoise " + m.group(2) + " --help");
                }
                m.appendReplacement(rewritten, Matcher.quoteReplacement(m.group(1) + help + m.group(4)));
            }
            m.appendTail(rewritten);
            if (regenerate) {
                Files.writeString(readme, rewritten.toString());
            }
        }
        assertThat(blocks).as("help blocks in the module READMEs").isPositive();
        assertThat(stale).as("README help blocks that differ from the command's --help (rerun with "
                + "-Ddenoise.regenerate=true to rewrite them)").isEmpty();
    }

    private static String help(String command) {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.add("--help");
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as("denoise %s --help", command).isZero();
        return run.out();
    }

    private static List<Path> moduleReadmes() throws IOException {
        try (Stream<Path> modules = Files.list(ProjectHome.root())) {
            return modules.map(dir -> dir.resolve("README.md")).filter(Files::isRegularFile)
                    .filter(readme -> !readme.getParent().equals(ProjectHome.root())).sorted().toList();
        }
    }
}
