package dev.denoise.cli;

import dev.denoise.client.RequestSender;
import dev.denoise.client.ResultStream;
import dev.denoise.client.SampleRequests;
import dev.denoise.diffusion.ComputeDevice;
import dev.denoise.localstack.LocalStack;
import dev.denoise.localstack.ProjectHome;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.localstack.StackPortOptions;
import dev.denoise.sampler.SamplingService;
import dev.denoise.sampler.ServiceSettings;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.ModelVersion;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.TopicProvisioner;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.trainer.ConsoleProgress;
import dev.denoise.trainer.DenoiserTrainer;
import dev.denoise.trainer.ModelVersionPublisher;
import dev.denoise.trainer.TrainedModel;
import dev.denoise.trainer.TrainedModelFiles;
import dev.denoise.trainer.TrainingOptions;
import dev.denoise.trainer.WeightsAlreadyPublishedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code denoise demo}: the whole system on the embedded stack. Starts a real broker and registry,
 * publishes the models the project ships (the conditioned one, its distilled student, the masked
 * discrete one, the article's, or a short run of it, and one trained in PyTorch), runs the
 * stream-sampler, requests every digit 8 times at 8 ddim steps of the conditioned model, in one
 * pass of its student and at 32 masked steps of the masked one, 64 seeds at 40 steps of the
 * article's model as the baseline, every shape 8 times from the PyTorch one, writes their contact
 * sheets, and stops what it started.
 */
@Command(name = "demo", description = "Run the whole pipeline locally: stack, the five shipped models, sampler, a row per "
        + "digit from the conditioned model (8 steps), its distilled student (one pass) and the masked model, 64 images from the article's model as the baseline, a row per "
        + "shape from the model trained in PyTorch, contact sheets; then stop.")
final class DemoCommand implements Callable<Integer> {

    @Mixin
    StackPortOptions ports = new StackPortOptions();

    @Option(names = "--train", description = "Train a short run (2 epochs) instead of publishing the shipped weights.")
    boolean train;
    @Option(names = "--data", paramLabel = "DIR", description = "With --train: MNIST-format IDX files (default: the shipped data/mnist).")
    Path data;
    @Option(names = "--keep-stack", description = "Leave the stack running afterwards.")
    boolean keepStack;

    @Override
    public Integer call() throws Exception {
        LocalStack stack = ports.stack();
        boolean wasRunning = stack.status().stream().allMatch(LocalStack.ServiceStatus::answering);
        step("starting the local stack (Kafka KRaft broker + Apicurio schema registry)");
        StackEndpoints endpoints = stack.up(System.out);
        try {
            ConnectionSettings settings = ConnectionSettings.of(endpoints.bootstrapServers(), endpoints.schemaRegistryUrl(),
                    ConnectionSettings.fromEnvironment().topicPrefix());
            TopicProvisioner.ensureTopics(settings, 4);
            ModelVersion conditioned = publish(settings, TrainedModelFiles.read(ProjectHome.root().resolve(ProjectHome.SHIPPED_CONDITIONED)));
            ModelVersion fast = publish(settings, TrainedModelFiles.read(ProjectHome.root().resolve(ProjectHome.SHIPPED_FAST)));
            ModelVersion masked = publish(settings, TrainedModelFiles.read(ProjectHome.root().resolve(ProjectHome.SHIPPED_MASKED)));
            ModelVersion article = publish(settings, articleModel());
            ModelVersion shapes = publish(settings, TorchScriptFolder.read(ProjectHome.root().resolve(
                    ProjectHome.SHIPPED_TORCHSCRIPT), "shapes", "RGB shapes in PyTorch by tools/torchscript/train_shapes.py",
                    warning -> step("warning: " + warning)));
            step("starting the stream-sampler on " + ComputeDevice.describe());
            // The application id and state folder of a plain `serve` in the project: one started after
            // `demo --keep-stack` goes on from the demo's committed offsets instead of serving its requests again.
            try (SamplingService sampler = SamplingService.start(settings, ServiceSettings.resolve(Map.of(
                    ServiceSettings.STATE_DIR.flag(), ProjectHome.state().resolve("sampler-state").toString(),
                    ServiceSettings.HTTP_PORT.flag(), "0"), Map.of()))) {
                awaitServing(sampler, conditioned);
                awaitServing(sampler, fast);
                awaitServing(sampler, masked);
                awaitServing(sampler, article);
                awaitServing(sampler, shapes);
                requestImages(settings, "each digit 8 times at 8 ddim steps", perClass(conditioned, 10, 8), "sheet-digits.png");
                requestImages(settings, "each digit 8 times in one pass of the distilled student", perClass(fast, 10, 1),
                        "sheet-digits-one-pass.png");
                requestImages(settings, "each digit 8 times at 32 masked steps", perClass(masked, 10, 32), "sheet-masked.png");
                requestImages(settings, "the baseline, 64 seeds at 40 steps of the article's model",
                        List.of(request(article, LongStream.range(0, 64), 40, null)), "sheet-article-baseline.png");
                requestImages(settings, "each shape 8 times at 20 dpm-solver steps (a model trained in PyTorch)",
                        perClass(shapes, Integer.parseInt(shapes.getHyperParameters().get("classes")), 20), "sheet-shapes.png");
            }
        } finally {
            if (!wasRunning && !keepStack) {
                step("stopping what the demo started");
                stack.down();
            }
        }
        return 0;
    }

    /** The shipped article model, or with --train a short run of the article's recipe. */
    private TrainedModel articleModel() throws Exception {
        if (!train) {
            return TrainedModelFiles.read(ProjectHome.root().resolve(ProjectHome.SHIPPED_ARTICLE));
        }
        step("training a short run (2 epochs) with DJL");
        TrainingOptions options = TrainingOptions.defaults()
                .withDataDir(data != null ? data : ProjectHome.shippedMnist())
                .withEpochs(2).withOutputDir(ProjectHome.state().resolve("demo-train"));
        return new DenoiserTrainer().train(options, new ConsoleProgress(System.out));
    }

    /** Publishes {@code model}, or on a rerun over a kept stack, takes the version that already holds its weights. */
    private static ModelVersion publish(ConnectionSettings settings, TrainedModel model) throws Exception {
        try {
            ModelVersion version = new ModelVersionPublisher(settings).publish(model);
            step("published " + version.getModel() + " v" + version.getVersion() + " (" + model.weights().length / 1024
                    + " KiB of weights, " + (model.epochs() > 0 ? model.epochs() + " epochs on " : "trained on ")
                    + model.dataset() + ")");
            return version;
        } catch (WeightsAlreadyPublishedException e) {
            step("model " + model.modelName() + " v" + e.existing().getVersion() + " (sha256 "
                    + model.sha256().substring(0, 12) + "…) is already published");
            return e.existing();
        }
    }

    private static void awaitServing(SamplingService sampler, ModelVersion version) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (!(sampler.ready() && sampler.registry().latestVersions().getOrDefault(version.getModel(), 0)
                == version.getVersion())) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("The sampler did not load " + version.getModel() + " v"
                        + version.getVersion() + " within 120 s");
            }
            Thread.sleep(100);
        }
    }

    /** A request per class (a digit for the MNIST models), 8 seeds each, from {@code version} at its default sampler. */
    private static List<SampleRequest> perClass(ModelVersion version, int classes, int steps) {
        List<SampleRequest> requests = new java.util.ArrayList<>();
        String id = "demo-" + version.getModel() + "-" + UUID.randomUUID();
        for (int label = 0; label < classes; label++) {
            SampleRequest request = request(version, LongStream.range(8L * label, 8L * label + 8), steps, label);
            request.setRequestId(String.format("%s-%02d", id, label));
            requests.add(request);
        }
        return requests;
    }

    private static SampleRequest request(ModelVersion version, LongStream seeds, int steps, Integer label) {
        return SampleRequests.newRequest("demo-", seeds.boxed().toList())
                .setModel(version.getModel())
                .setSteps(steps)
                .setClassLabel(label)
                .build();
    }

    private static void requestImages(ConnectionSettings settings, String what, List<SampleRequest> requests,
                                      String sheetName) throws Exception {
        Topics topics = Topics.of(settings);
        ImageFolder folder = new ImageFolder(ProjectHome.state().resolve("demo").resolve(requests.get(0).getRequestId()));
        step("requesting " + what + " from " + requests.get(0).getModel());
        long start = System.currentTimeMillis();
        List<GeneratedImage> images;
        try (ResultStream results = new ResultStream(settings, topics, false);
             RequestSender sender = new RequestSender(settings)) {
            for (SampleRequest request : requests) {
                sender.sendAndConfirm(request);
            }
            images = RequestCommand.awaitImages(results, requests, folder, Duration.ofSeconds(120));
        }
        long elapsed = System.currentTimeMillis() - start;
        Path sheet = ProjectHome.state().resolve("demo").resolve(sheetName);
        ImageFolder.writeSheet(images, sheet);
        GeneratedImage first = images.get(0);
        long sampling = images.stream().mapToLong(GeneratedImage::getSamplingMs).max().orElse(0);
        long wait = images.stream().mapToLong(GeneratedImage::getQueueWaitMs).max().orElse(0);
        System.out.printf("  %d images from %s v%d, %s: %d ms end to end (sampling %d ms, queue wait %d ms)%n",
                images.size(), first.getModel(), first.getModelVersion(), RequestCommand.steps(images), elapsed, sampling,
                wait);
        System.out.println("  PNG files: " + folder.dir());
        step("contact sheet: " + sheet);
    }

    private static void step(String message) {
        System.out.println("==> " + message);
    }
}
