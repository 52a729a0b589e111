package dev.denoise.schemas.config;

import static dev.denoise.schemas.config.Setting.Validator.atLeast;
import static dev.denoise.schemas.config.Setting.Validator.between;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.denoise.schemas.config.Setting.Type;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class SettingTest {

    private static final Setting<Integer> COUNT = Setting.of("X_COUNT", "--count", Type.INT, 64, atLeast(1), "A count.");
    private static final Setting<Integer> PORT = Setting.of("X_PORT", "--port", Type.INT, 8080, between(0, 65535), "A port.");
    private static final Setting<Long> BYTES = Setting.of("X_BYTES", "--bytes", Type.LONG, 1L << 33, atLeast(0L), "Bytes.");
    private static final Setting<Double> TOLERANCE = Setting.of("X_TOLERANCE", "--tolerance", Type.DOUBLE, 0.1, atLeast(0.0),
            "A tolerance.");
    private static final Setting<Duration> WAIT = Setting.of("X_WAIT_MS", "--wait-ms", Type.DURATION_MS, Duration.ofMillis(10),
            atLeast(Duration.ofMillis(1)), "A wait.");
    private static final Setting<String> FORMAT = Setting.of("X_FORMAT", "--format", Type.choice("string", "avro"), "string",
            "A format.");
    private static final Setting<String> FILE = Setting.of("X_FILE", "--file", Type.STRING, null, "A file.");

    @Test
    void theFlagWinsOverTheEnvironmentWhichWinsOverTheDefault() {
        Map<String, String> env = Map.of("X_COUNT", "8");
        assertThat(COUNT.value(Map.of("--count", "4"), env)).isEqualTo(4);
        assertThat(COUNT.value(Map.of(), env)).isEqualTo(8);
        assertThat(COUNT.value(Map.of(), Map.of())).isEqualTo(64);
        assertThat(COUNT.value(Map.of("--count", " "), Map.of("X_COUNT", ""))).as("blank is not given").isEqualTo(64);
    }

    @Test
    void aSettingWithoutDefaultIsEmptyUntilGiven() {
        assertThat(FILE.resolve(Map.of(), Map.of())).isEmpty();
        assertThat(FILE.resolve(Map.of(), Map.of("X_FILE", "/etc/client.properties"))).contains("/etc/client.properties");
        assertThatThrownBy(() -> FILE.value(Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("X_FILE / --file has no value; expected a string");
    }

    @Test
    void atLeastAcceptsTheBoundAndAbove() {
        assertThat(COUNT.parse("1")).isEqualTo(1);
        assertThat(COUNT.parse(" 1024 ")).isEqualTo(1024);
        assertThatThrownBy(() -> COUNT.parse("0"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("X_COUNT / --count: \"0\" is not allowed; expected an integer >= 1");
        assertThatThrownBy(() -> COUNT.parse("-3")).hasMessageContaining("\"-3\" is not allowed");
    }

    @Test
    void aValueItsTypeCannotReadGetsTheSameMessage() {
        assertThatThrownBy(() -> COUNT.parse("lots"))
                .hasMessage("X_COUNT / --count: \"lots\" is not allowed; expected an integer >= 1");
        assertThatThrownBy(() -> COUNT.parse("1.5")).hasMessageContaining("\"1.5\" is not allowed");
        assertThatThrownBy(() -> COUNT.parse("3000000000")).as("beyond int").hasMessageContaining("is not allowed");
        assertThat(BYTES.parse("3000000000")).isEqualTo(3_000_000_000L);
    }

    @Test
    void betweenIncludesBothBounds() {
        assertThat(PORT.parse("0")).isZero();
        assertThat(PORT.parse("65535")).isEqualTo(65535);
        assertThatThrownBy(() -> PORT.parse("65536"))
                .hasMessage("X_PORT / --port: \"65536\" is not allowed; expected an integer between 0 and 65535");
        assertThatThrownBy(() -> PORT.parse("-1")).hasMessageContaining("between 0 and 65535");
    }

    @Test
    void aNumberMustBeFinite() {
        assertThat(TOLERANCE.parse("0")).isZero();
        assertThat(TOLERANCE.parse("2.5")).isEqualTo(2.5);
        assertThatThrownBy(() -> TOLERANCE.parse("-0.01"))
                .hasMessage("X_TOLERANCE / --tolerance: \"-0.01\" is not allowed; expected a number >= 0");
        assertThatThrownBy(() -> TOLERANCE.parse("NaN")).hasMessageContaining("\"NaN\" is not allowed");
        assertThatThrownBy(() -> TOLERANCE.parse("Infinity")).hasMessageContaining("\"Infinity\" is not allowed");
    }

    @Test
    void aDurationIsWholeMilliseconds() {
        assertThat(WAIT.parse("250")).isEqualTo(Duration.ofMillis(250));
        assertThat(WAIT.defaultText()).isEqualTo("10");
        assertThatThrownBy(() -> WAIT.parse("0"))
                .hasMessage("X_WAIT_MS / --wait-ms: \"0\" is not allowed; expected a duration in milliseconds >= 1");
        assertThatThrownBy(() -> WAIT.parse("1s")).hasMessageContaining("\"1s\" is not allowed");
    }

    @Test
    void aChoiceIsOneOfItsValues() {
        assertThat(FORMAT.parse("avro")).isEqualTo("avro");
        assertThatThrownBy(() -> FORMAT.parse("json"))
                .hasMessage("X_FORMAT / --format: \"json\" is not allowed; expected one of string, avro");
        assertThat(FORMAT.parse("AVRO")).as("in any case, read as lower-case").isEqualTo("avro");
        assertThatThrownBy(() -> FORMAT.parse("JSON")).as("named as written")
                .hasMessage("X_FORMAT / --format: \"JSON\" is not allowed; expected one of string, avro");
    }

    @Test
    void aBadEnvironmentValueIsRefusedToo() {
        assertThatThrownBy(() -> COUNT.value(Map.of(), Map.of("X_COUNT", "0")))
                .hasMessage("X_COUNT / --count: \"0\" is not allowed; expected an integer >= 1");
    }

    @Test
    void eachSettingDescribesWhatItAllows() {
        assertThat(COUNT.allowed()).isEqualTo(">= 1");
        assertThat(PORT.allowed()).isEqualTo("between 0 and 65535");
        assertThat(WAIT.allowed()).isEqualTo(">= 1");
        assertThat(FORMAT.allowed()).isEqualTo("string, avro");
        assertThat(FILE.allowed()).isEqualTo("any");
        assertThat(FORMAT.type().name()).isEqualTo("choice");
    }

    @Test
    void aDefaultItsOwnValidatorRefusesIsAMistakeInTheDefinition() {
        assertThatThrownBy(() -> Setting.of("X_BAD", "--bad", Type.INT, 0, atLeast(1), "Bad."))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("X_BAD");
    }

    @Test
    void everyConnectionSettingKeepsItsNamesAndDefault() {
        assertThat(ConnectionSettings.SETTINGS).extracting(Setting::envVar, Setting::flag, Setting::defaultText)
                .containsExactly(
                        tuple("KAFKA_BOOTSTRAP_SERVERS", "--bootstrap-server", "127.0.0.1:9092"),
                        tuple("SCHEMA_REGISTRY_URL", "--schema-registry-url",
                                "http://127.0.0.1:8081/apis/ccompat/v7"),
                        tuple("KAFKA_CLIENT_CONFIG", "--client-config", null),
                        tuple("DENOISE_TOPIC_PREFIX", "--topic-prefix", "denoise"),
                        tuple("DENOISE_KEY_FORMAT", "--key-format", "string"));
        assertThatThrownBy(() -> ConnectionSettings.resolve(Map.of(), List.of(), Map.of("DENOISE_KEY_FORMAT", "json")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("DENOISE_KEY_FORMAT / --key-format: \"json\" is not allowed; expected one of string, avro");
    }
}
