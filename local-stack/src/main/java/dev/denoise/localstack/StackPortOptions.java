package dev.denoise.localstack;

import picocli.CommandLine.Option;

/** The local stack's ports, as options of every command that starts or reaches it (a picocli mixin). */
public final class StackPortOptions {
    @Option(names = "--kafka-port", defaultValue = "9092", description = "Broker port (default ${DEFAULT-VALUE}).")
    int kafka;

    @Option(names = "--controller-port", defaultValue = "9093", description = "KRaft controller port (default ${DEFAULT-VALUE}).")
    int controller;

    @Option(names = "--registry-port", defaultValue = "8081", description = "Schema registry port (default ${DEFAULT-VALUE}).")
    int registry;

    /** The stack under .denoise/stack as it was made (one broker if it was not made yet). */
    public LocalStack stack() {
        return new LocalStack(ProjectHome.state().resolve("stack"), ports(), ProjectHome.state().resolve("tools"));
    }

    public LocalStack stack(int brokers, boolean secure) {
        return new LocalStack(ProjectHome.state().resolve("stack"), ports(), ProjectHome.state().resolve("tools"), brokers,
                secure);
    }

    private LocalStack.Ports ports() {
        return new LocalStack.Ports(kafka, controller, registry);
    }
}
