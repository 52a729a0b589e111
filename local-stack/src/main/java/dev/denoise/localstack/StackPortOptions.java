package dev.denoise.localstack;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The local stack's ports, as options of every command that starts or reaches it (a picocli mixin).
 * An option left out takes the port the stack last started on, else the default.
 */
public final class StackPortOptions {
    public static final String KAFKA_PORT = "--kafka-port";
    public static final String CONTROLLER_PORT = "--controller-port";
    public static final String REGISTRY_PORT = "--registry-port";

    // No picocli default: an option left out must be told from one given, to fall back to the remembered port.
    @Option(names = KAFKA_PORT,
            description = "Broker port (default: the port the stack last started on, else 9092).")
    Integer kafka;

    @Option(names = CONTROLLER_PORT,
            description = "KRaft controller port (default: the port the stack last started on, else 9093).")
    Integer controller;

    @Option(names = REGISTRY_PORT,
            description = "Schema registry port (default: the port the stack last started on, else 8081).")
    Integer registry;

    /** The stack under .denoise/stack as it was made (one broker if it was not made yet). */
    public LocalStack stack() {
        return new LocalStack(home(), ports(home()), tools());
    }

    public LocalStack stack(int brokers, boolean secure) {
        return new LocalStack(home(), ports(home()), tools(), brokers, secure);
    }

    /** Where the stack under .denoise/stack answers at the ports it last started on; empty if it never started. */
    public static Optional<StackEndpoints> rememberedEndpoints() {
        return PortsFile.read(home()).map(ports -> new LocalStack(home(), ports, tools()).endpoints());
    }

    /** The options given, the remembered ports of the stack in {@code stackHome} for those left out, else the defaults. */
    LocalStack.Ports ports(Path stackHome) {
        LocalStack.Ports fallback = PortsFile.read(stackHome).orElse(LocalStack.Ports.DEFAULT);
        return new LocalStack.Ports(kafka != null ? kafka : fallback.kafka(),
                controller != null ? controller : fallback.controller(),
                registry != null ? registry : fallback.registry());
    }

    private static Path home() {
        return ProjectHome.state().resolve("stack");
    }

    private static Path tools() {
        return ProjectHome.state().resolve("tools");
    }
}
