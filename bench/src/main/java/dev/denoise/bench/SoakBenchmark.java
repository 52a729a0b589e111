package dev.denoise.bench;

import ai.djl.Device;
import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.ComputeDevice;
import dev.denoise.diffusion.ComputeThread;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.WeightsPackage;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.sampler.SamplingService;
import dev.denoise.sampler.ServiceSettings;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.trainer.ModelVersionPublisher;
import dev.denoise.trainer.TrainedModel;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * A long run through Kafka with hot swaps, for memory that grows with time or with each model
 * reload: a sampler in this JVM serves {@code images} images in requests of {@code perRequest}
 * seeds, {@code inFlight} requests at a time. Every {@code swapEvery} images a new version is
 * published and the run waits until it serves (the registry has checked and warmed it up; older
 * versions beyond the bound are unloaded). Every {@code reportEvery} images it prints images/s,
 * the process's resident memory, the JVM's committed memory (heap and non-heap) and the rest,
 * which is native: PyTorch's tensors and allocator caches, the natives' code, malloc arenas.
 * It ends with the drift of each between the first report and the last, and from the first report
 * at which the sampler holds as many versions as it keeps loaded (the end of warm-up: until then
 * each swap adds a loaded model) to the last.
 */
final class SoakBenchmark {
    record Options(int images, int steps, int perRequest, int inFlight, int reportEvery, int swapEvery) {}

    /** One report: images so far, images/s since the last report, memory now, the version serving. */
    record Sample(int images, double imagesPerSecond, long rssBytes, long jvmCommittedBytes, int version) {
        long nativeBytes() {
            return rssBytes - jvmCommittedBytes;
        }
    }

    private static final String MODEL = "mnist";

    private final Options options;
    private final PrintStream out;

    SoakBenchmark(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    List<Sample> run(StackEndpoints endpoints) throws Exception {
        out.println("Device: " + ComputeDevice.describe());
        ConnectionSettings connection = BenchmarkStack.withArticleModel(endpoints);
        List<Sample> samples = new ArrayList<>();
        ServiceSettings settings = BenchmarkStack.samplerSettings(Map.of());
        // The service's compute thread is shared: model work of this process runs on that one thread.
        try (ComputeThread compute = new ComputeThread("soak-compute");
             SamplingService sampler = SamplingService.start(connection, settings, compute);
             BenchmarkClient client = new BenchmarkClient(connection)) {
            int version = awaitServing(sampler, 1);
            int done = 0;
            long nextSeed = 0;
            long intervalStart = System.nanoTime();
            int intervalImages = 0;
            while (done < options.images()) {
                int nextBoundary = Math.min(nextMultiple(done, options.reportEvery()), nextMultiple(done, options.swapEvery()));
                int batch = Math.min(Math.min(options.perRequest() * options.inFlight(), options.images() - done),
                        nextBoundary - done);
                Map<String, Integer> expected = new HashMap<>();
                for (int sent = 0; sent < batch; sent += options.perRequest()) {
                    int seeds = Math.min(options.perRequest(), batch - sent);
                    expected.put(client.send(LongStream.range(nextSeed, nextSeed + seeds).toArray(), options.steps()), seeds);
                    nextSeed += seeds;
                }
                int received = client.await(expected).values().stream().mapToInt(latencies -> latencies.length).sum();
                if (received < batch) {
                    throw new IllegalStateException(received + " of " + batch + " images arrived after " + done);
                }
                done += batch;
                intervalImages += batch;
                if (done % options.reportEvery() == 0 || done == options.images()) {
                    double seconds = (System.nanoTime() - intervalStart) / 1e9;
                    Sample sample = new Sample(done, intervalImages / seconds, rssBytes(), jvmCommittedBytes(), version);
                    samples.add(sample);
                    print(sample);
                    intervalStart = System.nanoTime();
                    intervalImages = 0;
                }
                if (done % options.swapEvery() == 0 && done < options.images()) {
                    version = swap(sampler, compute, connection, version + 1);
                }
            }
        }
        printDrift("first report", samples);
        // Versions are 1, 2, … one a swap (this benchmark publishes them), so version n means n loaded.
        samples.stream().filter(s -> s.version() >= settings.maxLoadedVersions()).findFirst().ifPresent(full ->
                printDrift(settings.maxLoadedVersions() + " versions loaded", samples.subList(samples.indexOf(full), samples.size())));
        return samples;
    }

    /** Publishes untrained weights drawn from {@code version} as that version, and waits until it serves. */
    private int swap(SamplingService sampler, ComputeThread compute, ConnectionSettings connection, int version) throws Exception {
        // Made on the sampler's compute thread: all model work of a process on one thread.
        WeightsPackage weights = compute.call(() -> {
            try (Denoiser denoiser = Denoiser.initialized(new ArticleUNet(), Device.cpu(), version)) {
                return denoiser.weights();
            }
        });
        int published = new ModelVersionPublisher(connection).publish(new TrainedModel(MODEL, weights.architecture(),
                weights.hyperParameters(), weights.weights(), weights.sha256(), "soak", 0, 0, 1e-3f, version, 0, Map.of()))
                .getVersion();
        return awaitServing(sampler, published);
    }

    private static int awaitServing(SamplingService sampler, int version) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!(sampler.ready() && sampler.registry().latestVersions().getOrDefault(MODEL, 0) == version)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(MODEL + " v" + version + " did not serve within 120 s");
            }
            Thread.sleep(50);
        }
        return version;
    }

    private static int nextMultiple(int done, int every) {
        return (done / every + 1) * every;
    }

    private void print(Sample s) {
        out.printf(Locale.ROOT, "%,9d images  %7.1f images/s  RSS %6.1f MiB  JVM committed %6.1f MiB  native %6.1f MiB  "
                        + "serving v%d%n", s.images(), s.imagesPerSecond(), mib(s.rssBytes()), mib(s.jvmCommittedBytes()),
                mib(s.nativeBytes()), s.version());
    }

    private void printDrift(String from, List<Sample> samples) {
        if (samples.size() < 2) {
            return;
        }
        Sample first = samples.get(0);
        Sample last = samples.get(samples.size() - 1);
        out.printf(Locale.ROOT, "drift from %,d images (%s) to %,d: RSS %+.1f %% (%+.1f MiB), native %+.1f MiB, "
                        + "JVM committed %+.1f MiB; images/s %.2fx%n", first.images(), from, last.images(),
                100.0 * (last.rssBytes() - first.rssBytes()) / first.rssBytes(), mib(last.rssBytes() - first.rssBytes()),
                mib(last.nativeBytes() - first.nativeBytes()), mib(last.jvmCommittedBytes() - first.jvmCommittedBytes()),
                last.imagesPerSecond() / first.imagesPerSecond());
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    /** VmRSS from /proc/self/status (Linux); 0 where there is none. */
    static long rssBytes() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return 0;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }

    private static long jvmCommittedBytes() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        return memory.getHeapMemoryUsage().getCommitted() + memory.getNonHeapMemoryUsage().getCommitted();
    }
}
