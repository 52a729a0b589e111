package dev.denoise.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.denoise.schemas.config.ConnectionSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionSettingsTest {

    @Test
    void defaultsPointAtTheLocalStack() {
        ConnectionSettings settings = ConnectionSettings.resolve(Map.of(), List.of(), Map.of());
        assertThat(settings.bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(settings.schemaRegistryUrl()).isEqualTo("http://127.0.0.1:8081/apis/ccompat/v7");
        assertThat(settings.topicPrefix()).isEqualTo("denoise");
    }

    @Test
    void flagsWinOverTheEnvironment() {
        Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", "env:9092", "SCHEMA_REGISTRY_URL", "http://env:8081");
        ConnectionSettings settings = ConnectionSettings.resolve(
                Map.of("--bootstrap-server", "flag:9092"), List.of(), env);
        assertThat(settings.bootstrapServers()).isEqualTo("flag:9092");
        assertThat(settings.schemaRegistryUrl()).isEqualTo("http://env:8081");
    }

    @Test
    void clientPropertiesPassThroughFromFileEnvironmentAndFlags(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nbasic.auth.user.info=u:p\n");
        Map<String, String> env = Map.of("KAFKA_CLIENT_CONFIG", file.toString(), "DENOISE_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");

        ConnectionSettings settings = ConnectionSettings.resolve(
                Map.of(), List.of("ssl.truststore.location=/etc/kafka/trust.p12"), env);

        assertThat(settings.clientConfig())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("basic.auth.user.info", "u:p")
                .containsEntry("ssl.truststore.location", "/etc/kafka/trust.p12")
                .containsEntry("bootstrap.servers", "127.0.0.1:9092")
                .containsEntry("schema.registry.url", "http://127.0.0.1:8081/apis/ccompat/v7");
    }

    @Test
    void aMalformedClientPropertyIsRefused() {
        assertThatThrownBy(() -> ConnectionSettings.resolve(Map.of(), List.of("no-equals-sign"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("key=value");
    }

    @Test
    void aMissingClientConfigFileIsNamed() {
        assertThatThrownBy(() -> ConnectionSettings.resolve(
                Map.of("--client-config", "/nonexistent/client.properties"), List.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("/nonexistent/client.properties");
    }
}
