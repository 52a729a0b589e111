package dev.denoise.cli;

import dev.denoise.localstack.ProjectHome;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The configuration reference is what the settings' definitions render; the README's test command is CI's. */
class DocumentedSettingsTest {

    /** Rewrites docs/configuration.md instead of failing: {@code -Ddenoise.regenerate=true}. */
    private static final String REGENERATE = "denoise.regenerate";

    @Test
    void theConfigurationReferenceIsGeneratedFromTheSettings() throws Exception {
        Path file = ProjectHome.root().resolve(ConfigurationReference.PATH);
        String generated = ConfigurationReference.markdown();
        if (Boolean.getBoolean(REGENERATE)) {
            Files.writeString(file, generated);
        }
        assertThat(file).as("%s; generate it with %s", file, ConfigurationReference.REGENERATE).exists();
        assertThat(Files.readString(file))
                .as("%s differs from the settings' definitions; rewrite it with %s", ConfigurationReference.PATH,
                        ConfigurationReference.REGENERATE)
                .isEqualTo(generated);
    }

    @Test
    void theReadmesTestCommandIsWhatCiRuns() throws Exception {
        Path root = ProjectHome.root();
        String ci = Files.readString(root.resolve(".ci/run"));
        assertThat(Files.readString(root.resolve("README.md"))).contains("./mvnw verify");
        assertThat(ci).contains("./mvnw -B verify");
    }
}
