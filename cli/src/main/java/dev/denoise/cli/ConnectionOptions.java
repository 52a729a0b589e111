package dev.denoise.cli;

import dev.denoise.schemas.config.ConnectionSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The flags every command that talks to Kafka shares; each falls back to its environment variable. */
final class ConnectionOptions {
    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT",
            description = "Kafka brokers (env KAFKA_BOOTSTRAP_SERVERS, default 127.0.0.1:9092).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL",
            description = "Schema registry (env SCHEMA_REGISTRY_URL, default the local stack's Apicurio).")
    String schemaRegistryUrl;

    @Option(names = "--client-config", paramLabel = "FILE",
            description = "Properties for every Kafka client and serde: SASL, TLS, registry auth (env KAFKA_CLIENT_CONFIG).")
    String clientConfig;

    @Option(names = "--client-property", paramLabel = "KEY=VALUE",
            description = "One Kafka client or serde property; repeatable (env DENOISE_KAFKA_<KEY>).")
    List<String> clientProperties = new ArrayList<>();

    @Option(names = "--topic-prefix", paramLabel = "PREFIX",
            description = "Prefix of the topic names (env DENOISE_TOPIC_PREFIX, default denoise).")
    String topicPrefix;

    @Option(names = "--key-format", paramLabel = "string|avro",
            description = "How keys are written: string (UTF-8) or avro (an Avro string on the Confluent wire format, "
                    + "for Confluent's legacy AvroConsumer); either is read (env DENOISE_KEY_FORMAT, default string).")
    String keyFormat;

    ConnectionSettings settings() {
        Map<String, String> flags = new HashMap<>();
        put(flags, ConnectionSettings.BOOTSTRAP_SERVERS.flag(), bootstrapServers);
        put(flags, ConnectionSettings.SCHEMA_REGISTRY_URL.flag(), schemaRegistryUrl);
        put(flags, ConnectionSettings.CLIENT_CONFIG.flag(), clientConfig);
        put(flags, ConnectionSettings.TOPIC_PREFIX.flag(), topicPrefix);
        put(flags, ConnectionSettings.KEY_FORMAT.flag(), keyFormat);
        return ConnectionSettings.resolve(flags, clientProperties, System.getenv());
    }

    private static void put(Map<String, String> flags, String flag, String value) {
        if (value != null) {
            flags.put(flag, value);
        }
    }
}
