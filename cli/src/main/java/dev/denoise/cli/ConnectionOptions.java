package dev.denoise.cli;

import dev.denoise.localstack.StackEndpoints;
import dev.denoise.localstack.StackPortOptions;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.schemas.config.Setting;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The flags every command that talks to Kafka shares; each falls back to its environment variable,
 * and the two addresses then to the local stack at the ports it last started on.
 * Their help comes from their one definition in {@link ConnectionSettings} ({@link #describeFlags}).
 */
final class ConnectionOptions {
    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL")
    String schemaRegistryUrl;

    @Option(names = "--client-config", paramLabel = "FILE")
    String clientConfig;

    @Option(names = "--client-property", paramLabel = "KEY=VALUE",
            description = "One Kafka client or serde property; repeatable (env DENOISE_KAFKA_<KEY>).")
    List<String> clientProperties = new ArrayList<>();

    @Option(names = "--topic-prefix", paramLabel = "PREFIX")
    String topicPrefix;

    @Option(names = "--key-format", paramLabel = "string|avro")
    String keyFormat;

    /** Gives the connection flags of {@code command} and its subcommands the help of their settings. */
    static void describeFlags(CommandLine command) {
        CommandSpec spec = command.getCommandSpec();
        for (Setting<?> setting : ConnectionSettings.SETTINGS) {
            if (spec.findOption(setting.flag()) != null) {
                GeneratedHelp.redescribe(spec, setting.flag(), GeneratedHelp.describe(setting));
            }
        }
        command.getSubcommands().values().forEach(ConnectionOptions::describeFlags);
    }

    ConnectionSettings settings() {
        Map<String, String> flags = new HashMap<>();
        put(flags, ConnectionSettings.BOOTSTRAP_SERVERS.flag(), bootstrapServers);
        put(flags, ConnectionSettings.SCHEMA_REGISTRY_URL.flag(), schemaRegistryUrl);
        put(flags, ConnectionSettings.CLIENT_CONFIG.flag(), clientConfig);
        put(flags, ConnectionSettings.TOPIC_PREFIX.flag(), topicPrefix);
        put(flags, ConnectionSettings.KEY_FORMAT.flag(), keyFormat);
        return ConnectionSettings.resolve(flags, clientProperties,
                withLocalStack(System.getenv(), StackPortOptions.rememberedEndpoints()));
    }

    /**
     * The environment, its unset addresses filled in from the local stack where it last started: a
     * stack moved with {@code stack up --kafka-port/--registry-port} is found without exports. Done
     * here rather than in {@link ConnectionSettings}, whose module knows nothing of the local stack.
     */
    static Map<String, String> withLocalStack(Map<String, String> env, Optional<StackEndpoints> stack) {
        if (stack.isEmpty()) {
            return env;
        }
        Map<String, String> completed = new HashMap<>(env);
        fillIfUnset(completed, ConnectionSettings.BOOTSTRAP_SERVERS.envVar(), stack.get().bootstrapServers());
        fillIfUnset(completed, ConnectionSettings.SCHEMA_REGISTRY_URL.envVar(), stack.get().schemaRegistryUrl());
        return completed;
    }

    private static void fillIfUnset(Map<String, String> env, String name, String value) {
        if (env.get(name) == null || env.get(name).isBlank()) {
            env.put(name, value);
        }
    }

    private static void put(Map<String, String> flags, String flag, String value) {
        if (value != null) {
            flags.put(flag, value);
        }
    }
}
