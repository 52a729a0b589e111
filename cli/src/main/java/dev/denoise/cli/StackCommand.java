package dev.denoise.cli;

import dev.denoise.localstack.LocalStack;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.localstack.StackPortOptions;
import dev.denoise.localstack.StackSecurity;
import dev.denoise.sampler.ServiceSettings;
import dev.denoise.schemas.TopicProvisioner;
import dev.denoise.schemas.config.ConnectionSettings;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code denoise stack up|status|down}: a real Kafka broker and schema registry on loopback, no Docker. */
@Command(name = "stack", description = "Run a local Kafka broker (KRaft) and Apicurio schema registry on 127.0.0.1, data under .denoise/stack.",
        subcommands = {StackCommand.Up.class, StackCommand.Status.class, StackCommand.Down.class})
final class StackCommand {

    @Command(name = "up", description = "Start the broker and the registry unless running, create the topics, print their addresses.")
    static final class Up implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        StackPortOptions ports = new StackPortOptions();

        @Option(names = "--partitions", defaultValue = "4",
                description = "Partitions of the requests, images and failures topics (default ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--brokers", paramLabel = "1|3",
                description = "1 broker, or a cluster of 3 (three controllers; topics replicated 3 times, min.insync.replicas=2). "
                        + "Default: what the stack was made with, else 1.")
        Integer brokers;

        @Option(names = "--secure", description = "SASL_SSL (SCRAM-SHA-512) with a CA and certificates made at first start, "
                + "and ACLs per principal (admin, sampler, client, trainer); prints KAFKA_CLIENT_CONFIG for the client. "
                + "Default: what the stack was made with.")
        Boolean secure;

        @Override
        public Integer call() throws Exception {
            PrintStream err = System.err; // progress on stderr, the lines alone on stdout for eval/export
            LocalStack stack = brokers == null && secure == null ? ports.stack()
                    : ports.stack(brokers == null ? 1 : brokers, secure != null && secure);
            StackEndpoints endpoints = stack.up(err);
            ConnectionSettings settings = new ConnectionSettings(endpoints.bootstrapServers(),
                    endpoints.schemaRegistryUrl(), ConnectionSettings.fromEnvironment().topicPrefix(), stack.adminProperties());
            List<String> created = TopicProvisioner.ensureTopics(settings, partitions);
            if (!created.isEmpty()) {
                err.println("created topics " + String.join(", ", created));
            }
            if (endpoints.clientConfig() != null) {
                TopicsCommand.createAcls(settings, ServiceSettings.APPLICATION_ID.resolve(Map.of(), System.getenv())
                        .orElseThrow());
                err.println("ACLs set for principals " + String.join(", ", StackSecurity.PRINCIPALS)
                        + "; their client settings: " + stack.clientConfig("admin").orElseThrow().getParent());
            }
            System.out.println(endpoints.asEnvironmentLines());
            return 0;
        }
    }

    @Command(name = "status", description = "Show whether each broker and the registry run and answer.")
    static final class Status implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        StackPortOptions ports = new StackPortOptions();

        @Override
        public Integer call() {
            boolean allUp = true;
            for (LocalStack.ServiceStatus s : ports.stack().status()) {
                String process = s.pid().map(pid -> "pid " + pid).orElse("not started by this stack");
                System.out.printf("%-9s %-8s %-26s %s%n", s.name(), s.answering() ? "up" : "down", process, s.address());
                allUp &= s.answering();
            }
            return allUp ? 0 : 3;
        }
    }

    @Command(name = "down", description = "Stop the processes `stack up` started (data is kept).")
    static final class Down implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        StackPortOptions ports = new StackPortOptions();

        @Override
        public Integer call() throws Exception {
            List<String> stopped = ports.stack().down();
            System.out.println(stopped.isEmpty() ? "nothing was running" : "stopped " + String.join(", ", stopped));
            return 0;
        }
    }
}
