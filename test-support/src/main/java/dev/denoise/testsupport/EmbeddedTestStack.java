package dev.denoise.testsupport;

import dev.denoise.localstack.EmbeddedKafkaBroker;
import dev.denoise.localstack.RegistryChildProcess;
import dev.denoise.localstack.StackEndpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Without Docker: Kafka inside the test JVM and Apicurio Registry as a child process. */
final class EmbeddedTestStack implements TestStack {
    private final EmbeddedKafkaBroker kafka;
    private final RegistryChildProcess registry;

    private EmbeddedTestStack(EmbeddedKafkaBroker kafka, RegistryChildProcess registry) {
        this.kafka = kafka;
        this.registry = registry;
    }

    static EmbeddedTestStack start(Path home) throws Exception {
        Path work = Files.createTempDirectory("denoise-test-stack-");
        // Both take seconds to start: the registry boots in its own process while Kafka starts here.
        RegistryChildProcess registry = RegistryChildProcess.start(work.resolve("registry"), home.resolve(".denoise/tools"));
        try {
            EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(work.resolve("kafka"));
            registry.awaitReady(Duration.ofSeconds(120));
            return new EmbeddedTestStack(kafka, registry);
        } catch (Exception | Error e) {
            registry.close();
            throw e;
        }
    }

    @Override
    public StackEndpoints endpoints() {
        return new StackEndpoints(kafka.bootstrapServers(), registry.url());
    }

    @Override
    public void close() throws Exception {
        try {
            registry.close();
        } finally {
            kafka.close();
        }
    }
}
