package dev.denoise.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stack up/status/down} with real processes: kafka.Kafka and Apicurio Registry. */
@Tag("integration")
class LocalStackTest {
    private static final Path TOOLS = Path.of(System.getProperty("denoise.home", "..")).resolve(".denoise/tools");

    @TempDir
    Path home;
    private LocalStack stack;

    @AfterEach
    void stopEverything() throws Exception {
        if (stack != null) {
            stack.down();
        }
    }

    @Test
    void upStartsBothServicesASecondUpIsANoOpAndDownLeavesNothingRunning() throws Exception {
        LocalStack.Ports ports = freePorts();
        stack = new LocalStack(home, ports, TOOLS);
        ByteArrayOutputStream firstOutput = new ByteArrayOutputStream();

        StackEndpoints endpoints = stack.up(new PrintStream(firstOutput, true, StandardCharsets.UTF_8));

        assertThat(Readiness.kafkaAnswers(endpoints.bootstrapServers(), Duration.ofSeconds(5))).isTrue();
        assertThat(Readiness.registryAnswers(endpoints.schemaRegistryUrl())).isTrue();
        assertThat(firstOutput.toString(StandardCharsets.UTF_8)).contains("started kafka").contains("started registry");
        assertThat(PortsFile.read(home)).as("the ports it started on, remembered").contains(ports);
        List<LocalStack.ServiceStatus> running = stack.status();
        assertThat(running).allSatisfy(s -> assertThat(s.answering()).as(s.name()).isTrue());
        List<Long> pids = running.stream().map(s -> s.pid().orElseThrow()).toList();

        ByteArrayOutputStream secondOutput = new ByteArrayOutputStream();
        assertThat(stack.up(new PrintStream(secondOutput, true, StandardCharsets.UTF_8))).isEqualTo(endpoints);
        assertThat(secondOutput.toString(StandardCharsets.UTF_8)).contains("kafka already running")
                .contains("registry already running").doesNotContain("started");
        assertThat(stack.status().stream().map(s -> s.pid().orElseThrow()).toList()).isEqualTo(pids);

        assertThat(stack.down()).containsExactlyInAnyOrder("kafka", "registry");
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isIn(
                Optional.empty(), Optional.of(false)));
        assertThat(stack.status()).allSatisfy(s -> {
            assertThat(s.pid()).isEmpty();
            assertThat(s.answering()).isFalse();
        });
        assertThat(stack.down()).as("down again stops nothing").isEmpty();
    }

    private static LocalStack.Ports freePorts() {
        return new LocalStack.Ports(FreePorts.find(), FreePorts.find(), FreePorts.find());
    }
}
