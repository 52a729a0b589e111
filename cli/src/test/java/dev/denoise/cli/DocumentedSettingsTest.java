package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.localstack.ProjectHome;
import dev.denoise.sampler.ServiceSettings;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.schemas.config.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's configuration table is checked against the settings the code reads. */
class DocumentedSettingsTest {

    @Test
    void everySettingHasItsRowInTheReadme() throws Exception {
        String readme = Files.readString(ProjectHome.root().resolve("README.md"));
        List<Setting> settings = new ArrayList<>(ConnectionSettings.SETTINGS);
        settings.addAll(ServiceSettings.SETTINGS);
        for (Setting setting : settings) {
            String row = "| `" + setting.envVar() + "` | `" + setting.flag() + "` | "
                    + (setting.defaultValue() == null ? "(none)" : "`" + setting.defaultValue() + "`") + " |";
            assertThat(readme).as("README row for %s", setting.envVar()).contains(row);
        }
        assertThat(readme).contains("`" + ConnectionSettings.CLIENT_PROPERTY_ENV_PREFIX + "<KEY>`");
    }

    @Test
    void theReadmesTestCommandIsWhatCiRuns() throws Exception {
        Path root = ProjectHome.root();
        String ci = Files.readString(root.resolve(".ci/run"));
        assertThat(Files.readString(root.resolve("README.md"))).contains("./mvnw verify");
        assertThat(ci).contains("./mvnw -B verify");
    }
}
