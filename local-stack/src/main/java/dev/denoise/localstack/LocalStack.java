package dev.denoise.localstack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code denoise stack up|status|down}: a real Kafka broker (KRaft, {@code kafka.Kafka} from the
 * Maven Central jars) and Apicurio Registry as background processes on loopback, their data and
 * logs under one project-local folder. Up is idempotent; down stops only what up started.
 */
public final class LocalStack {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final Path toolsDir;
    private final Ports ports;
    private final StackService kafka;
    private final StackService registry;

    /** The loopback ports the stack listens on. */
    public record Ports(int kafka, int controller, int registry) {
        public static final Ports DEFAULT = new Ports(9092, 9093, 8081);
    }

    /** The state of one service, for {@code stack status}. */
    public record ServiceStatus(String name, Optional<Long> pid, boolean answering, String address) {}

    /**
     * @param home where each service keeps its data, log and pid file
     * @param toolsDir where the registry's distribution is unpacked (shared by stacks and tests)
     */
    public LocalStack(Path home, Ports ports, Path toolsDir) {
        this.toolsDir = toolsDir;
        this.ports = ports;
        this.kafka = new StackService("kafka", home.resolve("kafka"));
        this.registry = new StackService("registry", home.resolve("registry"));
    }

    public StackEndpoints endpoints() {
        return new StackEndpoints("127.0.0.1:" + ports.kafka(), ApicurioRegistry.url(ports.registry()));
    }

    /** Starts whatever is not running yet and waits until both answer. */
    public StackEndpoints up(PrintStream progress) throws Exception {
        StackEndpoints endpoints = endpoints();
        boolean startedRegistry = startUnlessRunning(registry, ports.registry(), progress,
                () -> ApicurioRegistry.command(toolsDir, ports.registry(), registry.dir().resolve("data")));
        boolean startedKafka = startUnlessRunning(kafka, ports.kafka(), progress, this::kafkaCommand);
        awaitStarted(kafka, startedKafka, () -> Readiness.awaitKafka(endpoints.bootstrapServers(), START_TIMEOUT));
        awaitStarted(registry, startedRegistry, () -> Readiness.awaitRegistry(endpoints.schemaRegistryUrl(),
                START_TIMEOUT, () -> registry.process().isPresent()));
        Readiness.setBackwardCompatibility(endpoints.schemaRegistryUrl());
        return endpoints;
    }

    public List<ServiceStatus> status() {
        StackEndpoints endpoints = endpoints();
        return List.of(
                new ServiceStatus(kafka.name(), kafka.process().map(ProcessHandle::pid),
                        Readiness.kafkaAnswers(endpoints.bootstrapServers(), Duration.ofSeconds(3)),
                        endpoints.bootstrapServers()),
                new ServiceStatus(registry.name(), registry.process().map(ProcessHandle::pid),
                        Readiness.registryAnswers(endpoints.schemaRegistryUrl()), endpoints.schemaRegistryUrl()));
    }

    /** Stops the processes {@link #up} recorded; returns the names of those that were running. */
    public List<String> down() throws IOException {
        List<String> stopped = new java.util.ArrayList<>();
        // Registry first: it holds no Kafka state, and the broker's controlled shutdown takes longest.
        for (StackService service : List.of(registry, kafka)) {
            if (service.stop(STOP_GRACE)) {
                stopped.add(service.name());
            }
        }
        return stopped;
    }

    private interface Command {
        List<String> get() throws Exception;
    }

    private interface Wait {
        void run() throws Exception;
    }

    private boolean startUnlessRunning(StackService service, int port, PrintStream progress, Command command)
            throws Exception {
        Optional<ProcessHandle> running = service.process();
        if (running.isPresent()) {
            progress.println(service.name() + " already running (pid " + running.get().pid() + ")");
            return false;
        }
        if (FreePorts.inUse(port)) {
            throw new IllegalStateException("Port " + port + " on 127.0.0.1 is taken by a process this stack did not"
                    + " start; stop it or choose other ports for " + service.name());
        }
        ProcessHandle process = service.start(command.get());
        progress.println("started " + service.name() + " (pid " + process.pid() + ", log " + service.logFile() + ")");
        return true;
    }

    private static void awaitStarted(StackService service, boolean justStarted, Wait wait) throws Exception {
        try {
            wait.run();
        } catch (IllegalStateException e) {
            String hint = justStarted ? System.lineSeparator() + "Last lines of " + service.logFile() + ":"
                    + System.lineSeparator() + service.logTail(20) : "";
            throw new IllegalStateException(e.getMessage() + hint, e);
        }
    }

    private List<String> kafkaCommand() throws Exception {
        Path dataDir = kafka.dir().resolve("data");
        Path config = BrokerConfig.write(BrokerConfig.singleNode(dataDir, ports.kafka(), ports.controller()),
                kafka.dir().resolve("server.properties"));
        KafkaStorage.formatIfNeeded(config, dataDir);
        // Full JIT (unlike the registry, which is idle after schemas are cached): the broker works for
        // the whole session on the cores a local sampler needs, and its C2 code handled the sampler
        // benchmark's requests with ~1.1 instead of ~1.5 CPU-seconds per 40 s. It still starts in ~7 s.
        return List.of(JavaCommand.java(), "-Xmx1g", "-XX:+UseSerialGC",
                "-cp", JavaCommand.classpath(), "kafka.Kafka", config.toString());
    }
}
