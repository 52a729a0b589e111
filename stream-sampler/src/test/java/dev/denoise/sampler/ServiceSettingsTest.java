package dev.denoise.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ServiceSettingsTest {

    @Test
    void theDefaults() {
        ServiceSettings settings = ServiceSettings.defaults();
        assertThat(settings).isEqualTo(new ServiceSettings("denoise-stream-sampler", 1000, 1024, 64, Duration.ofMillis(10), 3,
                Duration.ofMillis(60000), 8080, ".denoise/sampler-state", 0.1, ".denoise/weights-cache",
                Duration.ofMillis(60000)));
    }

    @Test
    void aFlagWinsOverTheEnvironmentWhichWinsOverTheDefault() {
        Map<String, String> env = Map.of("DENOISE_MAX_BATCH", "16", "DENOISE_HTTP_PORT", "9090");
        ServiceSettings settings = ServiceSettings.resolve(Map.of("--max-batch", "8", "--no-model-wait-ms", "2000"), env);
        assertThat(settings.maxBatch()).isEqualTo(8);
        assertThat(settings.httpPort()).isEqualTo(9090);
        assertThat(settings.noModelWait()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.maxSeeds()).isEqualTo(1024);
    }

    @Test
    void aBadMaxBatchIsRefusedNamingTheSettingTheValueAndTheRange() {
        assertThatThrownBy(() -> ServiceSettings.resolve(Map.of(), Map.of("DENOISE_MAX_BATCH", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("DENOISE_MAX_BATCH / --max-batch: \"0\" is not allowed; expected an integer >= 1");
        assertThatThrownBy(() -> ServiceSettings.resolve(Map.of("--max-batch", "many"), Map.of()))
                .hasMessageContaining("DENOISE_MAX_BATCH / --max-batch").hasMessageContaining("\"many\"")
                .hasMessageContaining(">= 1");
    }

    @Test
    void otherBoundsAreChecked() {
        assertThatThrownBy(() -> ServiceSettings.resolve(Map.of("--http-port", "70000"), Map.of()))
                .hasMessage("DENOISE_HTTP_PORT / --http-port: \"70000\" is not allowed; expected an integer between 0 and 65535");
        assertThatThrownBy(() -> ServiceSettings.resolve(Map.of("--quality-tolerance", "-1"), Map.of()))
                .hasMessage("DENOISE_QUALITY_TOLERANCE / --quality-tolerance: \"-1\" is not allowed; expected a number >= 0");
        assertThatThrownBy(() -> ServiceSettings.resolve(Map.of("--max-wait-ms", "0"), Map.of()))
                .hasMessageContaining("expected a duration in milliseconds >= 1");
    }
}
