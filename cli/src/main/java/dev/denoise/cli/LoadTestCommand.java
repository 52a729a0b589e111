package dev.denoise.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code denoise load-test}: many seeds through the running pipeline, with throughput, latency and missing images. */
@Command(name = "load-test", description = "Produce requests for many seeds, consume the images, and report throughput, latency percentiles, "
                + "failures and missing images (report.json, report.html). Exits 1 when images are missing.")
final class LoadTestCommand implements Callable<Integer> {
    @Option(names = "--seeds", defaultValue = "10000", description = "Seeds in total, per run (default ${DEFAULT-VALUE}).")
    int seeds;
    @ArgGroup(exclusive = true)
    Pace pace = new Pace();

    static final class Pace {
        @Option(names = "--rate", paramLabel = "R", description = "Requests per second.")
        Double rate;
        @Option(names = "--max", description = "As fast as possible (the default).")
        boolean max;
        @Option(names = "--sweep", paramLabel = "R1,R2,...", split = ",", description = "One run per request rate; one row each.")
        double[] sweep;
    }

    @Option(names = "--steps", defaultValue = "8", description = "Denoising steps (default ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--batch-per-request", defaultValue = "16", paramLabel = "K", description = "Seeds per request (default ${DEFAULT-VALUE}).")
    int seedsPerRequest;
    @Option(names = "--report", required = true, paramLabel = "DIR", description = "Where report.json and report.html go.")
    Path report;
    @Option(names = "--timeout", defaultValue = "600", description = "Seconds a run may wait for its images (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;
    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Override
    public Integer call() throws Exception {
        double[] rates = pace.sweep != null ? pace.sweep : new double[] {pace.rate != null ? pace.rate : 0};
        LoadTest test = new LoadTest(connection.settings(), steps, seedsPerRequest, Duration.ofSeconds(timeoutSeconds));
        List<LoadTest.Result> results = new ArrayList<>();
        boolean interactive = System.console() != null;
        System.out.printf("%8s %8s %8s %10s %8s %8s %8s %8s %s%n", "rate", "images", "missing", "images/s", "p50 ms",
                "p90 ms", "p99 ms", "max ms", "failures");
        for (double rate : rates) {
            // The progress line redraws itself on a terminal only; in a log it would be a wall of fragments.
            LoadTest.Result r = test.run(seeds, rate, (done, total) -> {
                if (interactive) {
                    System.err.printf("\r%d/%d images", done, total);
                }
            });
            if (interactive) {
                System.err.print("\r");
            }
            results.add(r);
            System.out.printf(Locale.ROOT, "%8s %8d %8d %10.1f %8d %8d %8d %8d %s%n", LoadReport.rate(r), r.received(),
                    r.missing(), r.imagesPerSecond(), r.p50(), r.p90(), r.p99(), r.max(), r.failures());
        }
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("seedsPerRun", seeds);
        setup.put("steps", steps);
        setup.put("seedsPerRequest", seedsPerRequest);
        setup.put("rates", Arrays.toString(rates));
        LoadReport.write(report, results, setup);
        System.out.println("report: " + report.resolve("report.json") + ", " + report.resolve("report.html"));
        boolean missing = results.stream().anyMatch(r -> r.missing() > 0);
        if (missing) {
            System.err.println("denoise: images are missing");
        }
        return missing ? 1 : 0;
    }
}
