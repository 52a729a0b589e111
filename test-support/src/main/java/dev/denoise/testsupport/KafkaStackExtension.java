package dev.denoise.testsupport;

import dev.denoise.localstack.StackEndpoints;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.testcontainers.DockerClientFactory;

/**
 * Gives tests a real Kafka broker and a real Confluent-compatible schema registry: containers where
 * Docker is available, otherwise an in-JVM KRaft broker and an Apicurio Registry process. One stack
 * per test JVM, shared by every test class, stopped when the JVM's tests are done.
 *
 * <p>Annotate the class {@link KafkaStackTest} and take a {@link StackEndpoints} parameter.
 * {@code DENOISE_TEST_STACK=embedded} skips the Docker probe.
 */
public final class KafkaStackExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaStackExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == StackEndpoints.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(TestStackResource.class, key -> new TestStackResource(startStack()), TestStackResource.class)
                .stack().endpoints();
    }

    private static TestStack startStack() {
        try {
            if (!"embedded".equals(System.getenv("DENOISE_TEST_STACK"))
                    && DockerClientFactory.instance().isDockerAvailable()) {
                return ContainerTestStack.start();
            }
            return EmbeddedTestStack.start(projectHome());
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the test stack: " + e.getMessage(), e);
        }
    }

    /** The project root (Surefire sets denoise.home); tools unpacked there are reused across runs. */
    static Path projectHome() {
        return Path.of(System.getProperty("denoise.home", ".")).toAbsolutePath().normalize();
    }

    /**
     * Closed by JUnit when the root context closes, i.e. after the JVM's last test. (AutoCloseable
     * for JUnit 5.13+, CloseableResource for older versions.)
     */
    private record TestStackResource(TestStack stack) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() throws Exception {
            stack.close();
        }
    }
}
