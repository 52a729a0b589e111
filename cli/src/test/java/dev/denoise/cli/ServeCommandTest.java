package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.sampler.ServiceSettings;
import dev.denoise.schemas.config.Setting;
import org.junit.jupiter.api.Test;

class ServeCommandTest {

    @Test
    void everySamplerSettingIsAFlagWithItsEnvironmentVariable() {
        CliRun help = CliRun.of("serve", "--help");

        assertThat(help.exitCode()).isZero();
        for (Setting setting : ServiceSettings.SETTINGS) {
            assertThat(help.out()).contains(setting.flag()).contains(setting.envVar());
        }
    }

    @Test
    void aBadSettingIsRefusedBeforeAnythingStarts() {
        CliRun run = CliRun.of("serve", "--max-batch", "0");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("DENOISE_MAX_BATCH / --max-batch: \"0\" is not allowed; expected an integer >= 1");
    }
}
