package dev.denoise.schemas.config;

import dev.denoise.schemas.config.Setting.Type;
import dev.denoise.schemas.serde.KeySerde;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.ConfigException;

/**
 * How every component reaches Kafka and the schema registry. Besides the two addresses, any Kafka
 * client or serde property (SASL, TLS, {@code basic.auth.user.info}, {@code schema.registry.ssl.*})
 * passes through: from a properties file, from {@code DENOISE_KAFKA_*} environment variables, or
 * from {@code --client-property key=value} flags, in increasing precedence.
 */
public record ConnectionSettings(
        String bootstrapServers, String schemaRegistryUrl, String topicPrefix, Map<String, String> clientProperties) {

    public static final Setting<String> BOOTSTRAP_SERVERS = Setting.of("KAFKA_BOOTSTRAP_SERVERS", "--bootstrap-server",
            Type.STRING, "127.0.0.1:9092", "Kafka brokers to connect to (the local stack's by default).");
    public static final Setting<String> SCHEMA_REGISTRY_URL = Setting.of("SCHEMA_REGISTRY_URL", "--schema-registry-url",
            Type.STRING, "http://127.0.0.1:8081/apis/ccompat/v7",
            "Confluent-compatible schema registry; comma-separate several URLs for fail-over.");
    public static final Setting<String> CLIENT_CONFIG = Setting.of("KAFKA_CLIENT_CONFIG", "--client-config", Type.STRING,
            null, "Properties file passed to every Kafka client and serde (security.protocol, sasl.*, ssl.*, "
                    + "basic.auth.user.info, schema.registry.ssl.*).");
    public static final Setting<String> TOPIC_PREFIX = Setting.of("DENOISE_TOPIC_PREFIX", "--topic-prefix", Type.STRING,
            "denoise", "Prefix of the five topic names, e.g. denoise.sample-requests.");
    public static final Setting<String> KEY_FORMAT = Setting.of("DENOISE_KEY_FORMAT", "--key-format",
            Type.choice("string", "avro"), "string",
            "How keys are written: string (UTF-8, as Kafka's StringSerializer) or avro (an Avro string on the Confluent "
                    + "wire format, for Confluent's legacy AvroConsumer); either is read.");
    /** {@code DENOISE_KAFKA_SASL_MECHANISM=PLAIN} becomes the client property {@code sasl.mechanism=PLAIN}. */
    public static final String CLIENT_PROPERTY_ENV_PREFIX = "DENOISE_KAFKA_";

    public static final List<Setting<?>> SETTINGS = List.of(BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, CLIENT_CONFIG, TOPIC_PREFIX,
            KEY_FORMAT);

    /**
     * @param flags values of the flags given on the command line, by flag name
     * @param clientPropertyFlags {@code key=value} pairs from repeated {@code --client-property} flags
     * @param env the process environment
     */
    public static ConnectionSettings resolve(
            Map<String, String> flags, List<String> clientPropertyFlags, Map<String, String> env) {
        // Every setting is read and checked before the client config file is.
        String bootstrapServers = BOOTSTRAP_SERVERS.value(flags, env);
        String schemaRegistryUrl = SCHEMA_REGISTRY_URL.value(flags, env);
        String topicPrefix = TOPIC_PREFIX.value(flags, env);
        String keyFormat = KEY_FORMAT.value(flags, env);
        Optional<String> clientConfig = CLIENT_CONFIG.resolve(flags, env);

        Map<String, String> properties = new TreeMap<>();
        clientConfig.ifPresent(file -> properties.putAll(readProperties(Path.of(file))));
        env.forEach((name, value) -> {
            if (name.startsWith(CLIENT_PROPERTY_ENV_PREFIX) && name.length() > CLIENT_PROPERTY_ENV_PREFIX.length()) {
                properties.put(name.substring(CLIENT_PROPERTY_ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'),
                        value);
            }
        });
        if (!keyFormat.equals(KEY_FORMAT.defaultValue())) {
            properties.put(KeySerde.KEY_FORMAT, keyFormat);
        }
        for (String pair : clientPropertyFlags) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("--client-property expects key=value, got \"" + pair + "\"");
            }
            properties.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return new ConnectionSettings(bootstrapServers, schemaRegistryUrl, topicPrefix, Map.copyOf(properties));
    }

    /** Settings from the environment alone. */
    public static ConnectionSettings fromEnvironment() {
        return resolve(Map.of(), List.of(), System.getenv());
    }

    /** Direct addresses, e.g. a test's broker and registry. */
    public static ConnectionSettings of(String bootstrapServers, String schemaRegistryUrl, String topicPrefix) {
        return new ConnectionSettings(bootstrapServers, schemaRegistryUrl, topicPrefix, Map.of());
    }

    /**
     * The properties every Kafka client and serde of this project starts from: pass-through
     * properties, then the two addresses.
     */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new LinkedHashMap<>(clientProperties);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put("schema.registry.url", schemaRegistryUrl);
        return config;
    }

    private static Map<String, String> readProperties(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new ConfigException("Cannot read client config file " + file.toAbsolutePath() + ": " + e);
        }
        Map<String, String> map = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name)));
        return map;
    }
}
