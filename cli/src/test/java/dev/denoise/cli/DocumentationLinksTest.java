package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.localstack.ProjectHome;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every relative link in the repository's Markdown files leads to a file or folder that exists. */
class DocumentationLinksTest {
    /** {@code [text](target)} and {@code ![alt](target)}, the target up to a space, ')' or '#'. */
    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(<?([^)\\s#>]*)[^)]*\\)");
    private static final Pattern FENCE = Pattern.compile("(?ms)^\\s*```.*?^\\s*```");
    private static final Set<String> SKIPPED_FOLDERS = Set.of(".git", "target", ".denoise", "node_modules");

    @Test
    void everyRelativeLinkResolves() throws IOException {
        List<Path> pages = markdownFiles(ProjectHome.root());
        assertThat(pages).as("Markdown files found").extracting(p -> p.getFileName().toString()).contains("README.md");
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            for (String target : relativeLinks(Files.readString(page))) {
                Path resolved = page.getParent().resolve(URLDecoder.decode(target, StandardCharsets.UTF_8)).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(ProjectHome.root().relativize(page) + " -> " + target);
                }
            }
        }
        assertThat(broken).as("links to nothing").isEmpty();
    }

    @Test
    void findsABrokenLink() {
        assertThat(relativeLinks("see [the guide](docs/nowhere.md#start), ![a](b.png) and [web](https://x.org)"))
                .containsExactly("docs/nowhere.md", "b.png");
        assertThat(relativeLinks("```\n[not a link](inside/a/fence.md)\n```")).isEmpty();
    }

    static List<String> relativeLinks(String markdown) {
        Matcher m = LINK.matcher(FENCE.matcher(markdown).replaceAll(""));
        List<String> targets = new ArrayList<>();
        while (m.find()) {
            String target = m.group(1);
            if (!target.isEmpty() && !target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) { // http:, https:, mailto:
                targets.add(target);
            }
        }
        return targets;
    }

    private static List<Path> markdownFiles(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> p.toString().endsWith(".md")).filter(p -> !inSkippedFolder(root.relativize(p)))
                    .sorted().toList();
        }
    }

    private static boolean inSkippedFolder(Path relative) {
        for (Path part : relative) {
            if (SKIPPED_FOLDERS.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }
}
