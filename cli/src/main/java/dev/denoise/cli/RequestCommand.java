package dev.denoise.cli;

import dev.denoise.client.ImageCollector;
import dev.denoise.client.RequestSender;
import dev.denoise.client.ResultStream;
import dev.denoise.client.SampleRequests;
import dev.denoise.localstack.ProjectHome;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code denoise request}: produce a SampleRequest; with {@code --wait}, collect its images as PNG files. */
@Command(name = "request", description = "Ask the stream-sampler for images; prints the request id. With --wait, writes the PNGs and a contact sheet.")
final class RequestCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    SeedChoice seeds;

    static final class SeedChoice {
        @Option(names = "--seeds", paramLabel = "SPEC", description = "Seeds: 0..63, 1,5,9 or both.")
        String spec;
        @Option(names = "--count", paramLabel = "N", description = "N random seeds (with --random).")
        Integer count;
    }

    @Option(names = "--random", description = "With --count: draw the seeds at random.")
    boolean random;
    @Option(names = "--steps") // its help lists the families' defaults (GeneratedHelp)
    Integer steps;
    @Option(names = "--model", defaultValue = SampleRequests.DEFAULT_MODEL,
            description = "Model name (default ${DEFAULT-VALUE}, the shipped conditioned model; mnist is the article's).")
    String model;
    @Option(names = "--model-version", paramLabel = "N", description = "Pin a model version; default the newest.")
    Integer version;
    @Option(names = "--label", paramLabel = "CLASS|NAME|all") // its help lists the conditioned families (GeneratedHelp)
    String label;
    @Option(names = "--guidance", paramLabel = "SCALE",
            description = "Classifier-free guidance scale, for class-conditioned models: 0 unconditional, 1 conditional, "
                    + "more sharpens the digit; default the model's.")
    Float guidance;
    @Option(names = "--sampler", paramLabel = "NAME") // its help lists each family's samplers (GeneratedHelp)
    String sampler;
    @Option(names = "--priority", defaultValue = "1", paramLabel = "N", description = "Share of free slots while other "
            + "requests wait beside it: priority 2 gets two slots for each one of priority 1 (1-100, default ${DEFAULT-VALUE}).")
    int priority;
    @Option(names = "--deadline-ms", paramLabel = "MS", description = "Seeds not started this long after sending fail with "
            + "DEADLINE_EXCEEDED (started ones finish); default none.")
    Long deadlineMs;
    @Option(names = "--min-steps", paramLabel = "N", description = "With --deadline-ms: seeds that would otherwise start "
            + "too late may take fewer steps, down to N (only counts the model's sampler takes); each image records "
            + "the steps it took. Default: no fewer than asked for.")
    Integer minSteps;
    @Option(names = "--wait", description = "Wait for the images and write them to --out.")
    boolean await;
    @Option(names = "--out", paramLabel = "DIR", description = "Where --wait writes the PNGs and sheet.png (default .denoise/images/<request id>).")
    Path out;
    @Option(names = "--timeout", defaultValue = "300", description = "Seconds --wait waits for all images (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;
    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Override
    public Integer call() throws Exception {
        if (minSteps != null && deadlineMs == null) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--min-steps lowers steps to meet a deadline: give --deadline-ms too");
        }
        List<Long> seedList = seedList();
        ConnectionSettings settings = connection.settings();
        Topics topics = Topics.of(settings);
        List<SampleRequest> requests = requests(seedList, settings);
        if (!await) {
            sendAll(settings, requests);
            return 0;
        }
        ImageFolder folder = new ImageFolder(out != null ? out
                : ProjectHome.state().resolve("images").resolve(requests.get(0).getRequestId()));
        try (ResultStream results = new ResultStream(settings, topics, false)) {
            sendAll(settings, requests);
            return collect(results, requests, folder);
        }
    }

    private static void sendAll(ConnectionSettings settings, List<SampleRequest> requests) throws InterruptedException {
        try (RequestSender sender = new RequestSender(settings)) {
            for (SampleRequest request : requests) {
                sender.sendAndConfirm(request);
                System.out.println(request.getRequestId());
            }
        }
    }

    /** One request, or with {@code --label all} one per class, its ids sorting in class order. */
    private List<SampleRequest> requests(List<Long> seedList, ConnectionSettings settings) {
        String id = UUID.randomUUID().toString();
        if (!"all".equals(label)) {
            return List.of(request(id, seedList, label == null ? null : classIndex(label.trim(), settings)));
        }
        PublishedClasses classes = PublishedClasses.of(settings, model, version);
        if (classes.count() == 0) {
            throw new IllegalArgumentException("Model " + model + " is not class-conditioned: --label all has no classes to spread over");
        }
        List<SampleRequest> requests = new ArrayList<>();
        for (int index = 0; index < classes.count(); index++) {
            List<Long> share = new ArrayList<>();
            for (int i = index; i < seedList.size(); i += classes.count()) {
                share.add(seedList.get(i));
            }
            if (!share.isEmpty()) {
                requests.add(request(id + "-" + classes.idPart(index), share, index));
            }
        }
        return requests;
    }

    /** A class index as given, or the index of a class named by the model's published class names. */
    private int classIndex(String value, ConnectionSettings settings) {
        if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
            return Integer.parseInt(value);
        }
        if (value.isEmpty() || value.startsWith("-")) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--label takes a class index (a digit 0-9 for the MNIST models), a class name or all, not '" + value + "'");
        }
        return PublishedClasses.of(settings, model, version).index(value);
    }

    private SampleRequest request(String id, List<Long> seedList, Integer classLabel) {
        return SampleRequests.newRequestWithId(id, seedList)
                .setSteps(steps)
                .setSampler(sampler)
                .setModel(model)
                .setPinnedVersion(version)
                .setClassLabel(classLabel)
                .setGuidanceScale(guidance)
                .setPriority(priority)
                .setDeadlineMs(deadlineMs)
                .setMinSteps(minSteps)
                .build();
    }

    private List<Long> seedList() {
        if (seeds.spec != null) {
            if (random) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--random goes with --count");
            }
            try {
                return SeedSpec.parse(seeds.spec);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), e.getMessage());
            }
        }
        List<Long> list = new ArrayList<>();
        for (int i = 0; i < seeds.count; i++) {
            list.add(random ? ThreadLocalRandom.current().nextLong() : i);
        }
        return list;
    }

    private int collect(ResultStream results, List<SampleRequest> requests, ImageFolder folder) throws Exception {
        List<GeneratedImage> images = awaitImages(results, requests, folder, Duration.ofSeconds(timeoutSeconds));
        Path sheet = folder.dir().resolve("sheet.png");
        // Several requests (one per digit) get a row each.
        int columns = requests.size() == 1 ? 8 : requests.stream().mapToInt(r -> r.getSeeds().size()).max().orElse(8);
        ImageFolder.writeSheet(images, sheet, columns);
        GeneratedImage first = images.get(0);
        System.out.printf("%d images from %s v%d, %s; sampling %d ms per batch; sheet: %s%n", images.size(),
                first.getModel(), first.getModelVersion(), steps(images), first.getSamplingMs(), sheet);
        return 0;
    }

    /** The steps the images took: {@code 1 step}, {@code 8 steps}, or, where a deadline lowered some, each count with its images. */
    static String steps(List<GeneratedImage> images) {
        Map<Integer, Long> byCount = images.stream().collect(
                Collectors.groupingBy(GeneratedImage::getSteps, () -> new TreeMap<>(Comparator.reverseOrder()), Collectors.counting()));
        if (byCount.size() == 1) {
            int steps = byCount.keySet().iterator().next();
            return steps + (steps == 1 ? " step" : " steps");
        }
        return byCount.entrySet().stream().map(e -> e.getKey() + " steps (" + e.getValue() + " images)")
                .collect(Collectors.joining(", ")) + " (fewer where --min-steps let a deadline hold)";
    }

    /**
     * The images of {@code requests}, each written to {@code folder} as it arrives, with a progress
     * line redrawn in place on a terminal; in request-id, then index order.
     */
    static List<GeneratedImage> awaitImages(ResultStream results, List<SampleRequest> requests, ImageFolder folder,
                                            Duration timeout) throws java.io.IOException {
        boolean interactive = System.console() != null;
        int[] received = {0};
        int expected = requests.stream().mapToInt(r -> r.getSeeds().size()).sum();
        try {
            return ImageCollector.await(results, requests, timeout, (image, count, of) -> {
                folder.write(image);
                received[0] = count;
                if (interactive) {
                    System.err.printf("\rwaiting for images: %d/%d", count, of);
                }
            });
        } catch (ImageCollector.RequestFailedException e) {
            throw new IllegalStateException(e.getMessage()
                    + (e.imagesReceived() == 0 ? "" : "; the images that came are in " + folder.dir()), e);
        } finally {
            System.err.printf(interactive ? "%n" : "received %d/%d images%n", received[0], expected);
        }
    }
}
