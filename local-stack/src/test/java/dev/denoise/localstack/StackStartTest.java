package dev.denoise.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code LocalStack.up} when ports are taken, when a start fails part-way and when a running stack
 * is asked for other ports. No broker starts in these tests: the registry is {@link StandInRegistry},
 * and a broker's start is made to fail by a file where its folder belongs.
 */
class StackStartTest {
    @TempDir
    Path home;
    @TempDir
    Path toolsDir;
    private Path tools;
    private final List<ServerSocket> squatters = new ArrayList<>();
    private final List<ProcessHandle> standIns = new ArrayList<>();
    private final ByteArrayOutputStream progress = new ByteArrayOutputStream();

    @BeforeEach
    void standInRegistry() throws Exception {
        tools = StandInRegistry.tools(toolsDir);
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (ServerSocket squatter : squatters) {
            squatter.close();
        }
        startedPid("registry").flatMap(ProcessHandle::of).ifPresent(standIns::add);
        for (ProcessHandle standIn : standIns) {
            standIn.destroyForcibly();
            standIn.onExit().join();
        }
    }

    @Test
    void everyBusyPortIsNamedWithItsOptionBeforeAnythingStarts() throws Exception {
        int kafka = squat();
        int controller = FreePorts.find();
        int registry = squat();
        LocalStack stack = new LocalStack(home, new LocalStack.Ports(kafka, controller, registry), tools);

        assertThatThrownBy(() -> stack.up(progressStream()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("port " + kafka + " is in use (--kafka-port)")
                .hasMessageContaining("port " + registry + " is in use (--registry-port)")
                .hasMessageNotContaining("--controller-port");
        assertThat(progress.toString(StandardCharsets.UTF_8)).doesNotContain("started");
        try (Stream<Path> left = Files.list(home)) {
            assertThat(left).as("nothing started, nothing written").isEmpty();
        }
    }

    @Test
    void eachNodeOfAClusterIsNamedWithTheOptionItsPortComesFrom() throws Exception {
        int first = FreePorts.findBlock(6);
        squatters.add(new ServerSocket(first + 2, 1, InetAddress.getLoopbackAddress()));
        squatters.add(new ServerSocket(first + 5, 1, InetAddress.getLoopbackAddress()));
        LocalStack stack = new LocalStack(home, new LocalStack.Ports(first, first + 1, FreePorts.find()), tools, 3, false);

        assertThatThrownBy(() -> stack.up(progressStream()))
                .hasMessageContaining("port " + (first + 2) + " is in use (--kafka-port plus 2 for kafka-2)")
                .hasMessageContaining("port " + (first + 5) + " is in use (--controller-port plus 4 for kafka-3)");
    }

    @Test
    void thePortsOfServicesAlreadyRunningAreNotChecked() throws Exception {
        LocalStack.Ports ports = new LocalStack.Ports(squat(), FreePorts.find(), FreePorts.find());
        startRegistryAsIfUpHad(ports);
        LocalStack stack = new LocalStack(home, ports, tools);

        assertThatThrownBy(() -> stack.up(progressStream()))
                .hasMessageContaining("port " + ports.kafka() + " is in use (--kafka-port)")
                .hasMessageNotContaining("--registry-port");
    }

    @Test
    void aStartThatFailsPartWayStopsWhatItStarted() throws Exception {
        LocalStack.Ports ports = freePorts();
        Files.writeString(home.resolve("kafka"), "a file where the broker's folder belongs");
        LocalStack stack = new LocalStack(home, ports, tools);

        assertThatThrownBy(() -> stack.up(progressStream()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(home.resolve("kafka").toString())
                .hasMessageContaining("Stopped what this start had started: registry");

        long registryPid = startedPid("registry").orElseThrow();
        assertThat(ProcessHandle.of(registryPid).filter(ProcessHandle::isAlive)).as("the registry it started").isEmpty();
        assertThat(stack.status()).allSatisfy(s -> assertThat(s.pid()).as(s.name()).isEmpty());
        assertThat(PortsFile.read(home)).as("ports are remembered only once the stack started").isEmpty();
    }

    @Test
    void aStartThatFailsLeavesWhatRanBeforeRunning() throws Exception {
        LocalStack.Ports ports = freePorts();
        ProcessHandle registry = startRegistryAsIfUpHad(ports);
        Files.writeString(home.resolve("kafka"), "a file where the broker's folder belongs");
        LocalStack stack = new LocalStack(home, ports, tools);

        assertThatThrownBy(() -> stack.up(progressStream()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("The local stack did not start: java.nio.file.FileAlreadyExistsException")
                .hasMessageNotContaining("Stopped");

        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("registry already running");
        assertThat(registry.isAlive()).isTrue();
        assertThat(stack.status().get(1).pid()).contains(registry.pid());
    }

    @Test
    void aRunningStackRefusesOtherPortsAndNamesTheOnesItRunsOn() throws Exception {
        LocalStack.Ports ports = freePorts();
        startRegistryAsIfUpHad(ports);
        PortsFile.write(home, ports);
        int otherRegistryPort = FreePorts.find();
        LocalStack elsewhere = new LocalStack(home, new LocalStack.Ports(ports.kafka(), ports.controller(), otherRegistryPort),
                tools);
        String runningOn = "is running on --kafka-port " + ports.kafka() + " --controller-port " + ports.controller()
                + " --registry-port " + ports.registry() + ", not on --registry-port " + otherRegistryPort;

        assertThatThrownBy(() -> elsewhere.up(progressStream())).hasMessageContaining(runningOn)
                .hasMessageContaining("denoise stack down");
        assertThatThrownBy(elsewhere::status).hasMessageContaining(runningOn);

        assertThat(progress.toString(StandardCharsets.UTF_8)).doesNotContain("started");
        assertThat(new LocalStack(home, ports, tools).status()).extracting(LocalStack.ServiceStatus::address)
                .containsExactly("127.0.0.1:" + ports.kafka(), ApicurioRegistry.url(ports.registry()));
    }

    /** A registry running as {@code up} would have left it: its process recorded in the stack's folder. */
    private ProcessHandle startRegistryAsIfUpHad(LocalStack.Ports ports) throws Exception {
        StackService registry = new StackService("registry", home.resolve("registry"));
        ProcessHandle process = registry.start(ApicurioRegistry.command(tools, ports.registry(), null));
        standIns.add(process);
        assertThat(registry.process()).as("the stand-in registry runs").isPresent();
        Readiness.await("stand-in registry on port " + ports.registry(), Duration.ofMinutes(2),
                () -> FreePorts.inUse(ports.registry()), process::isAlive);
        return process;
    }

    private int squat() throws Exception {
        ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        squatters.add(squatter);
        return squatter.getLocalPort();
    }

    private static LocalStack.Ports freePorts() {
        return new LocalStack.Ports(FreePorts.find(), FreePorts.find(), FreePorts.find());
    }

    private PrintStream progressStream() {
        return new PrintStream(progress, true, StandardCharsets.UTF_8);
    }

    /** The pid {@code up} reported for a service it started, from its progress lines. */
    private java.util.Optional<Long> startedPid(String service) {
        Matcher m = Pattern.compile("started " + service + " \\(pid (\\d+)").matcher(progress.toString(StandardCharsets.UTF_8));
        return m.find() ? java.util.Optional.of(Long.parseLong(m.group(1))) : java.util.Optional.empty();
    }
}
