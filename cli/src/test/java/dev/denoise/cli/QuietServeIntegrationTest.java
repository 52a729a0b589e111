package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.TopicProvisioner;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.testsupport.Await;
import dev.denoise.testsupport.KafkaStackTest;
import dev.denoise.trainer.ModelVersionPublisher;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code denoise serve} as a user starts it, a single instance with the CLI's own logging: it
 * prints no warning it cannot act on, and keeps its state in the working directory's .denoise
 * folder rather than the OS temp directory.
 */
@KafkaStackTest
class QuietServeIntegrationTest {
    private static final Pattern HEALTH_PORT = Pattern.compile("health on :(\\d+)");

    @Test
    void aSingleInstanceStartsWithoutWarningsAndKeepsItsStateInDotDenoise(StackEndpoints stack) throws Exception {
        ConnectionSettings connection = ConnectionSettings.of(stack.bootstrapServers(), stack.schemaRegistryUrl(),
                "quiet-" + UUID.randomUUID());
        TopicProvisioner.ensureTopics(connection, 2);
        new ModelVersionPublisher(connection).publish(ServingFixture.model(1));
        // Not under the OS temp directory, which Kafka Streams warns about, as a checkout is not.
        Path workDir = Files.createDirectories(Path.of("target", "quiet-serve-" + UUID.randomUUID()).toAbsolutePath());
        Path log = workDir.resolve("serve.log");

        Process serve = serve(connection, workDir, log);
        try {
            Await.until("the sampler's health port in its log", () -> healthPort(log) > 0);
            HttpClient http = HttpClient.newHttpClient();
            URI ready = URI.create("http://127.0.0.1:" + healthPort(log) + "/ready");
            Await.until("serve ready", () -> http.send(HttpRequest.newBuilder(ready).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        } finally {
            serve.destroy(); // SIGTERM: the graceful stop
            if (!serve.waitFor(Await.PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                serve.destroyForcibly();
            }
        }

        List<String> warnings = Files.readAllLines(log).stream().filter(l -> l.startsWith("WARN")).toList();
        assertThat(warnings).as("warnings in %s", log).isEmpty();
        assertThat(workDir.resolve(".denoise/sampler-state")).as("the state folder").isDirectory();
    }

    /** The CLI in a JVM of its own, with the production classpath: the CLI's logging, not the tests'. */
    private static Process serve(ConnectionSettings connection, Path workDir, Path log) throws Exception {
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", classpath, DenoiseCli.class.getName(), "serve", "--http-port", "0",
                "--application-id", "quiet-" + UUID.randomUUID());
        Map<String, String> env = builder.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", connection.bootstrapServers());
        env.put("SCHEMA_REGISTRY_URL", connection.schemaRegistryUrl());
        env.put("DENOISE_TOPIC_PREFIX", connection.topicPrefix());
        env.remove("DENOISE_STATE_DIR");
        return builder.directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static int healthPort(Path log) throws Exception {
        Matcher port = HEALTH_PORT.matcher(Files.readString(log));
        return port.find() ? Integer.parseInt(port.group(1)) : 0;
    }
}
