package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.diffusion.ModelFamilies;
import dev.denoise.diffusion.ModelFamily;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.schemas.serde.KeySerde;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Options whose help is generated from their definitions still bind to their fields, and their help lists what is defined. */
class GeneratedHelpTest {

    @Test
    void redescribedOptionsStillSetTheirFields() {
        CommandLine cli = DenoiseCli.commandLine();
        cli.parseArgs("request", "--seeds", "1", "--bootstrap-server", "broker:1", "--topic-prefix", "p",
                "--key-format", "AVRO", "--sampler", "ddpm", "--steps", "12", "--label", "3");
        RequestCommand request = cli.getSubcommands().get("request").getCommand();
        ConnectionSettings settings = request.connection.settings();

        assertThat(settings.bootstrapServers()).isEqualTo("broker:1");
        assertThat(settings.topicPrefix()).isEqualTo("p");
        assertThat(settings.clientProperties()).containsEntry(KeySerde.KEY_FORMAT, "avro");
        assertThat(request.sampler).isEqualTo("ddpm");
        assertThat(request.steps).isEqualTo(12);
        assertThat(request.label).isEqualTo("3");
    }

    @Test
    void theHelpListsEveryFamilyAndEverySetting() {
        String request = CliRun.of("request", "--help").out().replaceAll("\\s+", " ");
        for (ModelFamily family : ModelFamilies.ALL) {
            assertThat(request).contains(family.defaultSteps() + " (" + family.name() + ")")
                    .contains(String.join(", ", family.samplerNames()) + " (" + family.name() + ")");
        }
        for (var setting : ConnectionSettings.SETTINGS) {
            assertThat(request).contains(setting.flag()).contains("env " + setting.envVar());
        }
        String train = CliRun.of("train", "--help").out().replaceAll("\\s+", " ");
        ModelFamilies.ALL.forEach(family -> assertThat(train).contains(family.name()));
    }
}
