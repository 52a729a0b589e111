package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.denoise.localstack.FreePorts;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.localstack.StackPortOptions;
import dev.denoise.schemas.config.ConnectionSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stack up|status} and the clients' defaults, with the project root (and so the stack's
 * folder, .denoise/stack) in a folder of the test's own. Nothing here starts a broker or registry.
 */
class StackCommandTest {
    @TempDir
    Path root;
    private String projectHome;

    @BeforeEach
    void projectRootOfItsOwn() {
        projectHome = System.getProperty("denoise.home");
        System.setProperty("denoise.home", root.toString());
    }

    @AfterEach
    void projectRootAsBefore() {
        if (projectHome == null) {
            System.clearProperty("denoise.home");
        } else {
            System.setProperty("denoise.home", projectHome);
        }
    }

    @Test
    void upNamesEveryBusyPortWithItsOptionAndStartsNothing() throws Exception {
        try (ServerSocket kafka = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ServerSocket registry = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CliRun run = CliRun.of("stack", "up", "--kafka-port", port(kafka), "--controller-port",
                    String.valueOf(FreePorts.find()), "--registry-port", port(registry));

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).startsWith("denoise: The local stack cannot start on 127.0.0.1: ")
                    .contains("port " + port(kafka) + " is in use (--kafka-port)")
                    .contains("port " + port(registry) + " is in use (--registry-port)")
                    .doesNotContain("--controller-port", "\tat ", "started");
            assertThat(run.out()).isEmpty();
            assertThat(root.resolve(".denoise")).as("nothing started, nothing written").doesNotExist();
        }
    }

    @Test
    void statusLooksWhereTheStackLastStartedAndFailsWhileAServiceIsDown() throws Exception {
        HttpServer registry = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        registry.createContext("/apis/ccompat/v7/subjects", exchange -> {
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("[]".getBytes());
            exchange.close();
        });
        registry.start();
        try {
            int kafka = FreePorts.find(); // nothing listens there: the broker is down
            int registryPort = registry.getAddress().getPort();
            remember(kafka, FreePorts.find(), registryPort);

            CliRun run = CliRun.of("stack", "status");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
            assertThat(run.out().lines()).hasSize(2);
            assertThat(run.out().lines().toList().get(0)).startsWith("kafka").contains(" down ").endsWith(" 127.0.0.1:" + kafka);
            assertThat(run.out().lines().toList().get(1)).startsWith("registry").contains(" up ")
                    .endsWith(" http://127.0.0.1:" + registryPort + "/apis/ccompat/v7");
        } finally {
            registry.stop(0);
        }
    }

    @Test
    void clientsDefaultToTheStackWhereItLastStartedUnlessTheEnvironmentSaysOtherwise() throws Exception {
        assertThat(StackPortOptions.rememberedEndpoints()).as("no stack started yet").isEmpty();
        assertThat(settings(Map.of()).bootstrapServers()).isEqualTo("127.0.0.1:9092");

        remember(19092, 19093, 18081);

        assertThat(settings(Map.of()).bootstrapServers()).isEqualTo("127.0.0.1:19092");
        assertThat(settings(Map.of()).schemaRegistryUrl()).isEqualTo("http://127.0.0.1:18081/apis/ccompat/v7");
        ConnectionSettings fromEnvironment = settings(Map.of("KAFKA_BOOTSTRAP_SERVERS", "broker:9092",
                "SCHEMA_REGISTRY_URL", "http://registry:8081"));
        assertThat(fromEnvironment.bootstrapServers()).isEqualTo("broker:9092");
        assertThat(fromEnvironment.schemaRegistryUrl()).isEqualTo("http://registry:8081");
    }

    /** The connection settings a command resolves, given {@code env} as its environment. */
    private static ConnectionSettings settings(Map<String, String> env) {
        Optional<StackEndpoints> stack = StackPortOptions.rememberedEndpoints();
        return ConnectionSettings.resolve(Map.of(), List.of(), ConnectionOptions.withLocalStack(env, stack));
    }

    /** The ports file a successful {@code stack up} leaves in .denoise/stack (a person may read it too). */
    private void remember(int kafka, int controller, int registry) throws Exception {
        Path stack = Files.createDirectories(root.resolve(".denoise/stack"));
        Files.writeString(stack.resolve("ports.properties"),
                "kafka=" + kafka + "\ncontroller=" + controller + "\nregistry=" + registry + "\n");
    }

    private static String port(ServerSocket socket) {
        return String.valueOf(socket.getLocalPort());
    }
}
