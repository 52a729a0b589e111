package dev.denoise.localstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * The ports a local stack last started on, kept beside its cluster file: {@code stack status},
 * {@code stack down}, a later {@code stack up} and the clients' defaults find a stack moved with
 * the port options without being told again.
 */
final class PortsFile {
    private static final String NAME = "ports.properties";

    private PortsFile() {}

    /** The ports the stack in {@code home} last started on, if it ever did. */
    static Optional<LocalStack.Ports> read(Path home) {
        Path file = home.resolve(NAME);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = PropertiesFiles.read(file);
        return Optional.of(new LocalStack.Ports(port(p, "kafka"), port(p, "controller"), port(p, "registry")));
    }

    static void write(Path home, LocalStack.Ports ports) throws IOException {
        Properties p = new Properties();
        p.setProperty("kafka", String.valueOf(ports.kafka()));
        p.setProperty("controller", String.valueOf(ports.controller()));
        p.setProperty("registry", String.valueOf(ports.registry()));
        PropertiesFiles.write(p, home.resolve(NAME), "the ports the local stack last started on");
    }

    private static int port(Properties p, String key) {
        String value = p.getProperty(key);
        if (value == null) {
            throw new IllegalStateException(NAME + " lacks " + key + "; remove it to fall back to the default ports");
        }
        return Integer.parseInt(value.trim());
    }
}
