package dev.denoise.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;

/**
 * The sampler's own counters, read from its /metrics, with this process's CPU time: taken before
 * and after a run, their difference says where the run's time went (network passes, their rows,
 * the compute thread's busy share), which wall-clock images/s alone cannot on a host whose speed swings.
 */
record ServiceCounters(long iterations, double samplingSeconds, long steps, double rows, long cpuNanos, long wallNanos) {

    static ServiceCounters read(int httpPort) throws IOException, InterruptedException {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + httpPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        return new ServiceCounters((long) value(text, "denoise_iterations_total"), value(text, "denoise_sampling_seconds_total"),
                (long) value(text, "denoise_denoising_steps_total"), value(text, "denoise_batch_size_sum"),
                ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime(),
                System.nanoTime());
    }

    ServiceCounters since(ServiceCounters before) {
        return new ServiceCounters(iterations - before.iterations, samplingSeconds - before.samplingSeconds,
                steps - before.steps, rows - before.rows, cpuNanos - before.cpuNanos, wallNanos - before.wallNanos);
    }

    /** One line for a difference of two readings. */
    String describe() {
        double wall = wallNanos / 1e9;
        return String.format(Locale.ROOT, "%d passes of %.1f rows, %.2f ms a row; compute busy %.1f of %.1f s (%.0f %%); "
                        + "process CPU %.0f %% of a core", iterations, rows / Math.max(1, iterations),
                1000 * samplingSeconds / Math.max(1, rows), samplingSeconds, wall, 100 * samplingSeconds / wall,
                100 * cpuNanos / 1e9 / wall);
    }

    private static double value(String metrics, String name) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new IllegalStateException("No " + name + " in the sampler's metrics");
    }
}
