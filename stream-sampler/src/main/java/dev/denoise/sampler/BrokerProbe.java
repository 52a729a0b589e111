package dev.denoise.sampler;

import dev.denoise.schemas.config.ConnectionSettings;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Whether the brokers answer, for /ready: Streams stays RUNNING while its brokers are gone (its
 * clients retry), so its state alone would call a sampler ready that can emit nothing. A metadata
 * request every second on a thread of its own; reachable while the last answer is recent.
 */
final class BrokerProbe implements AutoCloseable {
    private static final long PERIOD_MS = 1000;
    private static final long STALE_MS = 3000;

    private final Admin admin;
    private final ScheduledExecutorService timer;
    private volatile long lastAnswerNanos;

    BrokerProbe(ConnectionSettings connection) {
        Map<String, Object> config = new HashMap<>(connection.clientConfig());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) STALE_MS);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) STALE_MS);
        this.admin = Admin.create(config);
        this.lastAnswerNanos = System.nanoTime(); // reachable until shown otherwise: the sampler has just connected
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "broker-probe");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::probe, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    boolean reachable() {
        return System.nanoTime() - lastAnswerNanos < TimeUnit.MILLISECONDS.toNanos(STALE_MS);
    }

    private void probe() {
        try {
            admin.describeCluster().nodes().get(STALE_MS, TimeUnit.MILLISECONDS);
            lastAnswerNanos = System.nanoTime();
        } catch (Exception e) {
            // not answering: reachable() turns false once the last answer is stale
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close();
    }
}
