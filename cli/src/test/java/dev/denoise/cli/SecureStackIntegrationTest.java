package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.localstack.FreePorts;
import dev.denoise.localstack.LocalStack;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.sampler.SamplingService;
import dev.denoise.sampler.ServiceSettings;
import dev.denoise.schemas.TopicProvisioner;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.testsupport.Await;
import dev.denoise.testsupport.KafkaStackTest;
import dev.denoise.trainer.TrainedModelFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stack secured as {@code stack up --secure} makes it: SASL_SSL with SCRAM-SHA-512 and ACLs per
 * principal. The round trip works with each principal doing its part; a wrong password and a
 * principal without the ACL are refused with errors that name the cause.
 */
@Tag(KafkaStackTest.TAG)
class SecureStackIntegrationTest {
    private static final Path TOOLS = Path.of(System.getProperty("denoise.home", "..")).resolve(".denoise/tools");

    @TempDir
    static Path home;
    private static LocalStack stack;
    private static StackEndpoints endpoints;
    private static String prefix;
    private static String applicationId;

    @BeforeAll
    static void startASecuredStack() throws Exception {
        int kafka = FreePorts.findBlock(2);
        stack = new LocalStack(home.resolve("stack"), new LocalStack.Ports(kafka, kafka + 1, FreePorts.find()), TOOLS, 1, true);
        endpoints = stack.up(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        prefix = "secure-" + UUID.randomUUID();
        applicationId = "secure-sampler-" + UUID.randomUUID();
        ConnectionSettings admin = as("admin");
        TopicProvisioner.ensureTopics(admin, 2);
        TopicsCommand.createAcls(admin, applicationId);
    }

    @AfterAll
    static void stopIt() throws Exception {
        if (stack != null) {
            stack.down();
        }
    }

    @Test
    void theRoundTripWorksWithEachPrincipalDoingItsPart(@TempDir Path dir) throws Exception {
        assertThat(endpoints.clientConfig()).isEqualTo(stack.clientConfig("client").orElseThrow());
        assertThat(endpoints.asEnvironmentLines()).contains("KAFKA_CLIENT_CONFIG=" + endpoints.clientConfig());
        assertThat(endpoints.schemaRegistryUrl()).as("the registry over TLS only").startsWith("https://127.0.0.1:");
        TrainedModelFiles.write(ServingFixture.model(1), dir);
        CliRun publish = CliRun.of(args("trainer", "models", "publish", "--file", dir.resolve("mnist.weights").toString()));
        assertThat(publish.exitCode()).as(publish.err()).isZero();

        try (SamplingService sampler = SamplingService.start(as("sampler"), ServiceSettings.resolve(Map.of(
                ServiceSettings.APPLICATION_ID.flag(), applicationId,
                ServiceSettings.STATE_DIR.flag(), Files.createTempDirectory("secure-sampler").toString(),
                ServiceSettings.HTTP_PORT.flag(), "0"), Map.of()))) {
            Await.until("the sampler ready", sampler::ready);
            CliRun request = CliRun.of(args("client", "request", "--model", "mnist", "--seeds", "0..3", "--steps", "2", "--wait",
                    "--out", dir.resolve("out").toString(), "--timeout", "120"));
            assertThat(request.exitCode()).as(request.err()).isZero();
            assertThat(request.out()).contains("4 images from mnist v1");
        }
    }

    @Test
    void aWrongPasswordIsRefusedWithAnErrorThatSaysSo(@TempDir Path dir) throws Exception {
        Properties client = read(stack.clientConfig("client").orElseThrow());
        client.setProperty("sasl.jaas.config", client.getProperty("sasl.jaas.config").replaceAll("password=\"[^\"]*\"",
                "password=\"wrong\""));
        Path wrong = dir.resolve("wrong.properties");
        try (Writer out = Files.newBufferedWriter(wrong)) {
            client.store(out, null);
        }
        CliRun list = CliRun.of(withConnection(wrong, "models", "list"));
        assertThat(list.exitCode()).isEqualTo(1);
        assertThat(list.err()).contains("Authentication failed").contains("invalid credentials");
    }

    @Test
    void aPrincipalWithoutTheAclIsRefusedWithAnErrorThatSaysSo(@TempDir Path dir) throws Exception {
        TrainedModelFiles.write(ServingFixture.model(2), dir);
        for (String principal : List.of("sampler", "client")) {
            CliRun publish = CliRun.of(args(principal, "models", "publish", "--file", dir.resolve("mnist.weights").toString()));
            assertThat(publish.exitCode()).as(principal).isEqualTo(1);
            assertThat(publish.err()).as(principal).contains("Not authorized to access topics")
                    .contains(prefix + ".model-versions");
        }
        CliRun read = CliRun.of(args("trainer", "images", "--from-beginning", "--out", dir.resolve("out").toString()));
        assertThat(read.exitCode()).as("the trainer may not read images").isEqualTo(1);
        assertThat(read.err()).contains("Not authorized to access topics").contains(prefix + ".generated-images");
    }

    /** Connection settings as {@code principal}. */
    private static ConnectionSettings as(String principal) throws IOException {
        Map<String, String> properties = new TreeMap<>();
        Properties p = read(stack.clientConfig(principal).orElseThrow());
        p.stringPropertyNames().forEach(name -> properties.put(name, p.getProperty(name)));
        return new ConnectionSettings(endpoints.bootstrapServers(), endpoints.schemaRegistryUrl(), prefix, properties);
    }

    private static String[] args(String principal, String... command) {
        return withConnection(stack.clientConfig(principal).orElseThrow(), command);
    }

    private static String[] withConnection(Path clientConfig, String... command) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of("--bootstrap-server", endpoints.bootstrapServers(), "--schema-registry-url",
                endpoints.schemaRegistryUrl(), "--topic-prefix", prefix, "--client-config", clientConfig.toString()));
        return all.toArray(String[]::new);
    }

    private static Properties read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return p;
    }
}
