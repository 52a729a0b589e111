package dev.denoise.localstack;

import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * {@code denoise stack up|status|down}: a real Kafka broker (KRaft, {@code kafka.Kafka} from the
 * Maven Central jars), or a cluster of three, and Apicurio Registry as background processes on
 * loopback, their data and logs under one project-local folder. Up is idempotent; down stops only
 * what up started. Node i of a cluster listens on the Kafka and controller ports plus 2i. The stack
 * remembers the ports it last started on ({@link PortsFile}) and, while running, keeps them.
 */
public final class LocalStack {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final Path home;
    private final Path toolsDir;
    private final Ports ports;
    private final int brokers;
    /** Null unless secured: then SASL_SSL with SCRAM and ACLs. */
    private final StackSecurity security;
    private final List<StackService> kafka;
    private final StackService registry;

    /** The loopback ports the stack listens on. */
    public record Ports(int kafka, int controller, int registry) {
        public static final Ports DEFAULT = new Ports(9092, 9093, 8081);

        /** These ports as the options that choose them, where they differ from {@code other} (all when null). */
        String asOptions(Ports other) {
            List<String> options = new ArrayList<>();
            if (other == null || kafka != other.kafka) {
                options.add(StackPortOptions.KAFKA_PORT + " " + kafka);
            }
            if (other == null || controller != other.controller) {
                options.add(StackPortOptions.CONTROLLER_PORT + " " + controller);
            }
            if (other == null || registry != other.registry) {
                options.add(StackPortOptions.REGISTRY_PORT + " " + registry);
            }
            return String.join(" ", options);
        }
    }

    /** The state of one service, for {@code stack status}. */
    public record ServiceStatus(String name, Optional<Long> pid, boolean answering, String address) {}

    /**
     * @param home where each service keeps its data, log and pid file
     * @param toolsDir where the registry's distribution is unpacked (shared by stacks and tests)
     */
    public LocalStack(Path home, Ports ports, Path toolsDir) {
        this(home, ports, toolsDir, ClusterFile.brokers(home).orElse(1), ClusterFile.secure(home).orElse(false));
    }

    /**
     * @param brokers 1, or 3 for a replicated cluster
     * @param secure SASL_SSL with SCRAM-SHA-512 and ACLs per principal (one broker only)
     * A stack keeps what it was made as until its folder is removed.
     */
    public LocalStack(Path home, Ports ports, Path toolsDir, int brokers, boolean secure) {
        if (brokers != 1 && brokers != 3) {
            throw new IllegalArgumentException("A local stack has 1 broker or 3, not " + brokers);
        }
        if (secure && brokers != 1) {
            throw new IllegalArgumentException("A secured local stack has one broker");
        }
        this.security = secure ? new StackSecurity(home) : null;
        this.home = home;
        this.toolsDir = toolsDir;
        this.ports = ports;
        this.brokers = brokers;
        this.kafka = IntStream.range(0, brokers).mapToObj(i -> i == 0 ? "kafka" : "kafka-" + (i + 1))
                .map(name -> new StackService(name, home.resolve(name))).toList();
        this.registry = new StackService("registry", home.resolve("registry"));
    }

    public StackEndpoints endpoints() {
        return new StackEndpoints(IntStream.range(0, brokers).mapToObj(i -> "127.0.0.1:" + brokerPort(i))
                .collect(Collectors.joining(",")), ApicurioRegistry.url(ports.registry(), security != null),
                security == null ? null : security.clientConfig("client"));
    }

    /** The client configuration file of a principal of a secured stack (see {@link StackSecurity#PRINCIPALS}). */
    public Optional<Path> clientConfig(String principal) {
        return Optional.ofNullable(security).map(s -> s.clientConfig(principal));
    }

    /** The admin client settings this stack needs beyond the bootstrap servers: none unless secured. */
    public Map<String, String> adminProperties() {
        return security == null ? Map.of() : PropertiesFiles.readMap(security.clientConfig("admin"));
    }

    public int brokers() {
        return brokers;
    }

    /** The address of node {@code index} (0-based). */
    public String brokerAddress(int index) {
        return "127.0.0.1:" + brokerPort(index);
    }

    /**
     * Starts whatever is not running yet and waits until all answer. Every port it needs is checked
     * before anything starts; if a start fails part-way, what this call started is stopped again.
     */
    public StackEndpoints up(PrintStream progress) throws Exception {
        StackEndpoints endpoints = endpoints();
        requireRunningServicesOnThesePorts();
        portsToStart().requireFree();
        ClusterFile.check(home, brokers, security != null);
        if (security != null) {
            security.createIfMissing();
        }
        List<StackService> startedNow = new ArrayList<>();
        try {
            startAndAwait(endpoints, progress, startedNow);
        } catch (Exception e) {
            throw stopAfterFailedStart(startedNow, e);
        }
        PortsFile.write(home, ports);
        return endpoints;
    }

    private void startAndAwait(StackEndpoints endpoints, PrintStream progress, List<StackService> startedNow)
            throws Exception {
        boolean startedRegistry = startUnlessRunning(registry, progress, startedNow,
                () -> ApicurioRegistry.command(toolsDir, ports.registry(), registry.dir().resolve("data"),
                        security == null ? List.of() : security.registryTlsOptions(ports.registry())));
        boolean[] started = new boolean[brokers];
        for (int i = 0; i < brokers; i++) {
            int node = i;
            started[i] = startUnlessRunning(kafka.get(i), progress, startedNow, () -> kafkaCommand(node));
        }
        for (int i = 0; i < brokers; i++) {
            awaitStarted(kafka.get(i), started[i], this::awaitBrokers);
        }
        HttpClient registryHttp = registryHttp();
        awaitStarted(registry, startedRegistry, () -> Readiness.awaitRegistry(endpoints.schemaRegistryUrl(), registryHttp,
                START_TIMEOUT, () -> registry.process().isPresent()));
        Readiness.setBackwardCompatibility(endpoints.schemaRegistryUrl(), registryHttp);
    }

    /** The ports of the services not running yet, each with the option that moves it. */
    private RequiredPorts portsToStart() {
        RequiredPorts required = new RequiredPorts();
        for (int i = 0; i < brokers; i++) {
            if (kafka.get(i).process().isEmpty()) {
                addNodePorts(required, i);
            }
        }
        if (registry.process().isEmpty()) {
            required.add(ports.registry(), StackPortOptions.REGISTRY_PORT);
        }
        return required;
    }

    private void addNodePorts(RequiredPorts required, int index) {
        String offset = index == 0 ? "" : " plus " + 2 * index + " for " + kafka.get(index).name();
        required.add(brokerPort(index), StackPortOptions.KAFKA_PORT + offset);
        required.add(controllerPort(index), StackPortOptions.CONTROLLER_PORT + offset);
    }

    /**
     * Running services listen where they were started: other ports would address nothing, so they
     * are refused rather than reported as a stack that is down.
     */
    private void requireRunningServicesOnThesePorts() {
        Optional<Ports> remembered = PortsFile.read(home);
        if (remembered.isEmpty() || remembered.get().equals(ports) || !anyServiceRunning()) {
            return;
        }
        throw new IllegalStateException("The local stack in " + home + " is running on " + remembered.get().asOptions(null)
                + ", not on " + ports.asOptions(remembered.get()) + ": leave those options out, or `denoise stack down`"
                + " first to move it");
    }

    private boolean anyServiceRunning() {
        return registry.process().isPresent() || kafka.stream().anyMatch(node -> node.process().isPresent());
    }

    /** Stops what this start started, leaving what ran before alone, and says so with the reason. */
    private static IllegalStateException stopAfterFailedStart(List<StackService> startedNow, Exception failure) {
        if (startedNow.isEmpty() && failure instanceof IllegalStateException alreadySaid) {
            return alreadySaid;
        }
        for (StackService service : startedNow) {
            try {
                service.stop(STOP_GRACE);
            } catch (IOException | RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
        String reason = failure instanceof IllegalStateException ? failure.getMessage()
                : "The local stack did not start: " + failure;
        String stopped = startedNow.isEmpty() ? "" : System.lineSeparator() + "Stopped what this start had started: "
                + String.join(", ", startedNow.stream().map(StackService::name).toList());
        return new IllegalStateException(reason + stopped, failure);
    }

    /** Every broker, then the registry. */
    public List<ServiceStatus> status() {
        requireRunningServicesOnThesePorts();
        StackEndpoints endpoints = endpoints();
        Map<String, String> admin = adminProperties();
        List<ServiceStatus> status = new ArrayList<>();
        for (int i = 0; i < brokers; i++) {
            status.add(new ServiceStatus(kafka.get(i).name(), kafka.get(i).process().map(ProcessHandle::pid),
                    Readiness.kafkaAnswers(brokerAddress(i), admin, Duration.ofSeconds(3)), brokerAddress(i)));
        }
        status.add(new ServiceStatus(registry.name(), registry.process().map(ProcessHandle::pid),
                Readiness.registryAnswers(endpoints.schemaRegistryUrl(), registryHttp()), endpoints.schemaRegistryUrl()));
        return status;
    }

    /** Kills node {@code index} at once, as a crash would (SIGKILL); true if it was running. For fault tests. */
    public boolean killBroker(int index) {
        Optional<ProcessHandle> process = kafka.get(index).process();
        process.ifPresent(p -> {
            p.destroyForcibly();
            p.onExit().join();
        });
        return process.isPresent();
    }

    /** Stops node {@code index} with a controlled shutdown (SIGTERM); true if it was running. */
    public boolean stopBroker(int index) throws IOException {
        return kafka.get(index).stop(STOP_GRACE);
    }

    /** Starts node {@code index} again on its data and waits until the cluster has all its brokers. */
    public void startBroker(int index) throws Exception {
        if (kafka.get(index).process().isEmpty()) {
            RequiredPorts required = new RequiredPorts();
            addNodePorts(required, index);
            required.requireFree();
        }
        boolean started = startUnlessRunning(kafka.get(index), System.err, new ArrayList<>(), () -> kafkaCommand(index));
        awaitStarted(kafka.get(index), started, this::awaitBrokers);
    }

    /** The stack's own HTTP client for its registry: trusting its CA when secured. */
    private HttpClient registryHttp() {
        return security == null ? Readiness.HTTP : Readiness.httpClient(security.sslContext());
    }

    /** Waits until every node is in the cluster's metadata. */
    private void awaitBrokers() {
        Readiness.awaitKafka(endpoints().bootstrapServers(), adminProperties(), START_TIMEOUT, brokers);
    }

    /** Stops the processes {@link #up} recorded; returns the names of those that were running. */
    public List<String> down() throws IOException {
        List<String> stopped = new java.util.ArrayList<>();
        // Registry first: it holds no Kafka state, and the broker's controlled shutdown takes longest.
        List<StackService> services = new ArrayList<>(List.of(registry));
        services.addAll(kafka);
        for (StackService service : services) {
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

    /** Starts {@code service} unless it runs, adding it to {@code startedNow}; true if it was started. */
    private static boolean startUnlessRunning(StackService service, PrintStream progress, List<StackService> startedNow,
            Command command) throws Exception {
        Optional<ProcessHandle> running = service.process();
        if (running.isPresent()) {
            progress.println(service.name() + " already running (pid " + running.get().pid() + ")");
            return false;
        }
        ProcessHandle process = service.start(command.get());
        startedNow.add(service);
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

    private int brokerPort(int index) {
        return ports.kafka() + 2 * index;
    }

    private int controllerPort(int index) {
        return ports.controller() + 2 * index;
    }

    private List<String> kafkaCommand(int index) throws Exception {
        StackService node = kafka.get(index);
        Path dataDir = node.dir().resolve("data");
        List<Integer> brokerPorts = IntStream.range(0, brokers).mapToObj(this::brokerPort).toList();
        List<Integer> controllerPorts = IntStream.range(0, brokers).mapToObj(this::controllerPort).toList();
        Properties properties = BrokerConfig.clusterNode(dataDir, index, brokerPorts, controllerPorts);
        if (security != null) {
            properties.putAll(security.brokerProperties(brokerPort(index), controllerPort(index)));
        }
        Path config = BrokerConfig.write(properties, node.dir().resolve("server.properties"));
        KafkaStorage.formatIfNeeded(config, dataDir, ClusterFile.clusterId(home),
                security == null ? List.of() : security.scramCredentials());
        // Full JIT (unlike the registry, which is idle after schemas are cached): the broker works for
        // the whole session on the cores a local sampler needs, and its C2 code handled the sampler
        // benchmark's requests with ~1.1 instead of ~1.5 CPU-seconds per 40 s. It still starts in ~7 s.
        return List.of(JavaCommand.java(), "-Xmx1g", "-XX:+UseSerialGC",
                "-cp", JavaCommand.classpath(), "kafka.Kafka", config.toString());
    }
}
