package dev.denoise.sampler;

import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the stream-sampler until SIGTERM or SIGINT, configured from the environment (the container
 * entry point; {@code denoise serve} takes the same settings as flags).
 */
public final class SamplingServiceMain {
    private static final Logger LOG = LoggerFactory.getLogger(SamplingServiceMain.class);

    private SamplingServiceMain() {}

    public static void main(String[] args) throws Exception {
        run(ConnectionSettings.fromEnvironment(), ServiceSettings.resolve(Map.of(), System.getenv()));
    }

    /** Starts the sampler and blocks until the JVM is asked to stop, then shuts down gracefully. */
    public static void run(ConnectionSettings connection, ServiceSettings settings) throws Exception {
        SamplingService sampler = SamplingService.start(connection, settings);
        LOG.info("stream-sampler {} started: requests from {}, health on :{}", settings.applicationId(),
                Topics.of(connection).requests.name(), sampler.httpPort());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Stopping: emitting the batches being sampled, committing, leaving the group");
            sampler.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }
}
