package dev.denoise.localstack;

import java.nio.file.Path;

/**
 * Where a running stack answers: what {@code KAFKA_BOOTSTRAP_SERVERS} and {@code SCHEMA_REGISTRY_URL}
 * are set to, and for a secured stack the client's {@code KAFKA_CLIENT_CONFIG} (else null).
 */
public record StackEndpoints(String bootstrapServers, String schemaRegistryUrl, Path clientConfig) {

    public StackEndpoints(String bootstrapServers, String schemaRegistryUrl) {
        this(bootstrapServers, schemaRegistryUrl, null);
    }

    /** The lines a shell can {@code eval} or a person can export. */
    public String asEnvironmentLines() {
        return "KAFKA_BOOTSTRAP_SERVERS=" + bootstrapServers + System.lineSeparator()
                + "SCHEMA_REGISTRY_URL=" + schemaRegistryUrl
                + (clientConfig == null ? "" : System.lineSeparator() + "KAFKA_CLIENT_CONFIG=" + clientConfig);
    }
}
