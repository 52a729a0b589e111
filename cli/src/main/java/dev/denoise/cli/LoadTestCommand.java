package dev.denoise.cli;

import dev.denoise.client.SampleRequests;
import dev.denoise.client.loadtest.LoadReport;
import dev.denoise.client.loadtest.LoadTest;
import dev.denoise.client.loadtest.Mix;
import dev.denoise.client.loadtest.RequestedModel;
import dev.denoise.client.loadtest.ServedVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** {@code denoise load-test}: many seeds through the running pipeline, with throughput, latency and missing images. */
@Command(name = "load-test", description = "Produce requests for many seeds, consume the images, and report throughput, latency percentiles, "
                + "failures, missing images and the model versions that made them (report.json, report.html). Exits 1 when images are missing.")
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

    @Option(names = "--model", defaultValue = SampleRequests.DEFAULT_MODEL, paramLabel = "NAME",
            description = "Model name (default ${DEFAULT-VALUE}, as for request; mnist is the article's).")
    String model;
    @Option(names = "--model-version", paramLabel = "N", description = "Pin a model version; default the latest.")
    Integer version;
    @Option(names = "--steps", defaultValue = "8", description = "Denoising steps, whatever the model (default ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--batch-per-request", defaultValue = "16", paramLabel = "K", description = "Seeds per request (default ${DEFAULT-VALUE}).")
    int seedsPerRequest;
    @Option(names = "--mix", paramLabel = "STEPS:SEEDS:SHARE,...", converter = MixConverter.class,
            description = "A mixed workload instead of --steps and --batch-per-request: each request is drawn from these classes "
                    + "(steps, seeds a request, share of the requests; shares add up to 1), e.g. 8:4:0.8,40:256:0.2.")
    Mix mix;
    @Option(names = "--mix-seed", defaultValue = "1", description = "Seed of the class draw; every run of a sweep draws the same sequence "
            + "(default ${DEFAULT-VALUE}).")
    long mixSeed;
    @Option(names = "--report", required = true, paramLabel = "DIR", description = "Where report.json, report.html and its PNG charts go.")
    Path report;
    @Option(names = "--deadline-ms", paramLabel = "MS", description = "Every request's deadline: seeds not started this "
            + "long after sending fail with DEADLINE_EXCEEDED; default none.")
    Long deadlineMs;
    @Option(names = "--min-steps", paramLabel = "N", description = "With --deadline-ms: seeds may take fewer steps, down to N, "
            + "to start in time (counted as degraded); default no fewer.")
    Integer minSteps;
    @Option(names = "--timeout", defaultValue = "600", description = "Seconds a run may wait for its images (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;
    @Mixin
    ConnectionOptions connection = new ConnectionOptions();
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Mix workload = workload();
        RequestedModel requested = requestedModel();
        double[] rates = pace.sweep != null ? pace.sweep : new double[] {pace.rate != null ? pace.rate : 0};
        if (minSteps != null && deadlineMs == null) {
            throw new ParameterException(spec.commandLine(), "--min-steps lowers steps to meet a deadline: give --deadline-ms too");
        }
        LoadTest test = new LoadTest(connection.settings(), requested, new LoadTest.Urgency(deadlineMs, minSteps), workload,
                mixSeed, Duration.ofSeconds(timeoutSeconds));
        List<LoadTest.Result> results = new ArrayList<>();
        boolean interactive = System.console() != null;
        System.out.printf("%8s %8s %8s %8s %10s %8s %8s %8s %8s %s%n", "rate", "images", "missing", "degraded", "images/s",
                "p50 ms", "p90 ms", "p99 ms", "max ms", "failures");
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
            System.out.printf(Locale.ROOT, "%8s %8d %8d %8d %10.1f %8d %8d %8d %8d %s%n", LoadReport.rate(r), r.received(),
                    r.missing(), r.degraded(), r.imagesPerSecond(), r.p50(), r.p90(), r.p99(), r.max(), r.failures());
        }
        printServedBy(results);
        if (workload.classes().size() > 1) {
            printClasses(results);
        }
        LoadReport.write(report, results, new LoadReport.Setup(seeds, requested, workload, mixSeed,
                Arrays.stream(rates).boxed().toList(), timeoutSeconds));
        System.out.println("report: " + report.resolve("report.json") + ", " + report.resolve("report.html"));
        boolean missing = results.stream().anyMatch(r -> r.missing() > 0);
        if (missing) {
            System.err.println("denoise: images are missing");
        }
        return missing ? 1 : 0;
    }

    /** The --mix, or the one class --steps and --batch-per-request describe. */
    private Mix workload() {
        ParseResult parsed = spec.commandLine().getParseResult();
        if (mix != null && (parsed.hasMatchedOption("--steps") || parsed.hasMatchedOption("--batch-per-request"))) {
            throw new ParameterException(spec.commandLine(), "--mix gives each class its steps and seeds: drop --steps and --batch-per-request");
        }
        if (mix != null) {
            return mix;
        }
        if (steps < 1 || seedsPerRequest < 1) {
            throw new ParameterException(spec.commandLine(), "--steps and --batch-per-request must be at least 1");
        }
        return Mix.single(steps, seedsPerRequest);
    }

    /** The --model and --model-version the requests carry. */
    RequestedModel requestedModel() {
        if (version != null && version < 1) {
            throw new ParameterException(spec.commandLine(), "--model-version must be 1 or more, not " + version);
        }
        return new RequestedModel(model, version);
    }

    /** The versions the images name: not always the one asked for, as the latest may change, even mid-run. */
    private static void printServedBy(List<LoadTest.Result> results) {
        System.out.printf("%nserved by:%n%8s %-20s %8s %8s%n", "rate", "model", "version", "images");
        for (LoadTest.Result r : results) {
            if (r.servedBy().isEmpty()) {
                System.out.printf("%8s %s%n", LoadReport.rate(r), "no images");
            }
            for (ServedVersion v : r.servedBy()) {
                System.out.printf(Locale.ROOT, "%8s %-20s %8d %8d%n", LoadReport.rate(r), v.model(), v.version(), v.images());
            }
        }
    }

    private static void printClasses(List<LoadTest.Result> results) {
        System.out.printf("%nper class:%n%8s %-20s %8s %8s %8s %10s %8s %8s %8s %8s%n", "rate", "class", "requests", "images",
                "missing", "images/s", "p50 ms", "p90 ms", "p99 ms", "max ms");
        for (LoadTest.Result r : results) {
            for (LoadTest.ClassResult c : r.classes()) {
                System.out.printf(Locale.ROOT, "%8s %-20s %8d %8d %8d %10.1f %8d %8d %8d %8d%n", LoadReport.rate(r),
                        c.requestClass().label(), c.requests(), c.received(), c.missing(), c.imagesPerSecond(),
                        c.latency().p50(), c.latency().p90(), c.latency().p99(), c.latency().max());
            }
        }
    }

    /** Lets picocli report a bad {@code --mix} as a usage error. */
    static final class MixConverter implements picocli.CommandLine.ITypeConverter<Mix> {
        @Override
        public Mix convert(String value) {
            try {
                return Mix.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
