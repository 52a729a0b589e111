package dev.denoise.localstack;

/** Where a running stack answers: what {@code KAFKA_BOOTSTRAP_SERVERS} and {@code SCHEMA_REGISTRY_URL} are set to. */
public record StackEndpoints(String bootstrapServers, String schemaRegistryUrl) {

    /** The two lines a shell can {@code eval} or a person can export. */
    public String asEnvironmentLines() {
        return "KAFKA_BOOTSTRAP_SERVERS=" + bootstrapServers + System.lineSeparator()
                + "SCHEMA_REGISTRY_URL=" + schemaRegistryUrl;
    }
}
