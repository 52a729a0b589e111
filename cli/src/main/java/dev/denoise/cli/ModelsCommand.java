package dev.denoise.cli;

import dev.denoise.diffusion.TorchScriptArchitecture;
import dev.denoise.sampler.LatestVersions;
import dev.denoise.sampler.QualityGate;
import dev.denoise.sampler.WeightsArtifacts;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.ModelCatalogue;
import dev.denoise.schemas.ModelPromotion;
import dev.denoise.schemas.ModelVersion;
import dev.denoise.schemas.TopicPartitions;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.trainer.ModelVersionPublisher;
import dev.denoise.trainer.TorchScriptImport;
import dev.denoise.trainer.TrainedModel;
import dev.denoise.trainer.TrainedModelFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code denoise models list|promote|publish}: the model versions on the model-versions topic. */
@Command(name = "models", description = "List, publish and promote model versions.",
        subcommands = {ModelsCommand.ListVersions.class, ModelsCommand.Promote.class, ModelsCommand.Publish.class})
final class ModelsCommand {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    @Command(name = "list", description = "Every published version with its metrics; `latest` is the one samplers serve to unpinned "
                    + "requests, `serving` the one that made the newest image.")
    static final class ListVersions implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection = new ConnectionOptions();

        @Option(names = "--quality-tolerance", paramLabel = "FRACTION", defaultValue = "0.1",
                description = "The samplers' DENOISE_QUALITY_TOLERANCE, to tell which versions they hold back (default ${DEFAULT-VALUE}).")
        double tolerance;

        @Override
        public Integer call() {
            ModelCatalogue catalogue = ModelCatalogue.read(connection.settings());
            if (catalogue.models().isEmpty()) {
                System.out.println("no model versions on " + Topics.of(connection.settings()).modelVersions.name());
                return 0;
            }
            LatestVersions latest = LatestVersions.of(catalogue, tolerance); // decided as the samplers decide
            Map<String, Integer> serving = newestImageVersions(connection.settings());
            System.out.printf("%-10s %7s %-16s %-12s %9s %8s %10s %8s %8s  %s%n", "MODEL", "VERSION", "CREATED (UTC)",
                    "ARCHITECTURE", "LOSS", "MSE@0.5", "CONFIDENCE", "ENTROPY", "FRECHET", "");
            List<String> held = new java.util.ArrayList<>();
            for (ModelVersion v : catalogue.versions()) {
                Map<String, Double> m = v.getTraining().getMetrics();
                System.out.printf(Locale.ROOT, "%-10s %7d %-16s %-12s %9.5f %8s %10s %8s %8s  %s%n", v.getModel(),
                        v.getVersion(), TIME.format(v.getCreatedAt()), v.getArchitecture(),
                        v.getTraining().getFinalLoss(), metric(m, "mse@0.5"), metric(m, "classifier.confidence"),
                        metric(m, "classifier.class-entropy-bits"), metric(m, QualityGate.METRIC),
                        marks(v, latest, serving));
                latest.heldBecause(v.getModel(), v.getVersion()).ifPresent(held::add);
            }
            held.forEach(System.out::println);
            return 0;
        }

        private static String marks(ModelVersion v, LatestVersions latest, Map<String, Integer> serving) {
            List<String> marks = new java.util.ArrayList<>();
            if (Integer.valueOf(v.getVersion()).equals(latest.of(v.getModel()))) {
                marks.add("latest");
            }
            if (latest.heldBecause(v.getModel(), v.getVersion()).isPresent()) {
                marks.add("held");
            }
            if (Integer.valueOf(v.getVersion()).equals(serving.get(v.getModel()))) {
                marks.add("serving");
            }
            return String.join(",", marks);
        }

        /** Per model, the version of its newest image: the last record of every partition of the images topic. */
        private static Map<String, Integer> newestImageVersions(ConnectionSettings settings) {
            Topics topics = Topics.of(settings);
            Map<String, Object> config = new java.util.HashMap<>(settings.clientConfig());
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            Map<String, GeneratedImage> newest = new java.util.HashMap<>();
            try (KafkaConsumer<String, GeneratedImage> consumer = new KafkaConsumer<>(config,
                    topics.images.keySerde().deserializer(), topics.images.valueSerde().deserializer())) {
                List<TopicPartition> partitions = TopicPartitions.of(consumer, topics.images.name(),
                        settings.bootstrapServers(), Duration.ofSeconds(15));
                consumer.assign(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                // The last few records of each partition: transaction markers take offsets too.
                partitions.forEach(p -> consumer.seek(p, Math.max(0, end.get(p) - 8)));
                long deadline = System.currentTimeMillis() + 5_000;
                while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.currentTimeMillis() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> newest.merge(r.value().getModel(), r.value(),
                            (a, b) -> b.getCreatedAt().isAfter(a.getCreatedAt()) ? b : a));
                }
            }
            Map<String, Integer> versions = new java.util.HashMap<>();
            newest.forEach((model, image) -> versions.put(model, image.getModelVersion()));
            return versions;
        }

        private static String metric(Map<String, Double> metrics, String name) {
            Double value = metrics.get(name);
            return value == null ? "-" : String.format(Locale.ROOT, "%.4f", value);
        }
    }

    @Command(name = "promote", description = "Make an existing version the latest (a rollback, or a version the quality gate held back); samplers switch within seconds.")
    static final class Promote implements Callable<Integer> {
        @Option(names = "--model", required = true, paramLabel = "NAME", description = "The model's name.")
        String model;
        @Option(names = "--model-version", required = true, paramLabel = "N", description = "The version to make the latest.")
        int version;
        @Mixin
        ConnectionOptions connection = new ConnectionOptions();

        @Override
        public Integer call() throws Exception {
            ModelPromotion promoted = new ModelVersionPublisher(connection.settings()).promote(model, version);
            System.out.printf("%s v%d is the latest again%n", promoted.getModel(), promoted.getVersion());
            return 0;
        }
    }

    @Command(name = "publish", description = "Publish a model as the next version of its name: weights written by `denoise train`, "
            + "or a TorchScript archive trained elsewhere (diffusers' UNet2DModel signature) with its scheduler_config.json.")
    static final class Publish implements Callable<Integer> {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;
        @Mixin
        ConnectionOptions connection = new ConnectionOptions();

        static final class Source {
            @Option(names = "--file", required = true, paramLabel = "WEIGHTS",
                    description = "The <model>.weights file written by `denoise train` (<model>.properties beside it).")
            Path file;
            @ArgGroup(exclusive = false, heading = "A model trained elsewhere:%n")
            TorchScriptOptions torchScript;
        }

        static final class TorchScriptOptions {
            @Option(names = "--torchscript", required = true, paramLabel = "FILE",
                    description = "TorchScript archive: forward(sample float32 (N,C,H,W) in [-1,1], timestep int64 (N)"
                            + "[, class_labels int64 (N)]) -> a tensor of sample's shape.")
            Path archive;
            @Option(names = "--scheduler-config", required = true, paramLabel = "FILE",
                    description = "diffusers scheduler_config.json the model was trained with.")
            Path schedulerConfig;
            @Option(names = "--image", required = true, paramLabel = "CxHxW",
                    description = "Image shape, e.g. 3x32x32: C 1 (grey) or 3 (RGB), H and W 8 to 256.")
            String image;
            @Option(names = "--model", required = true, paramLabel = "NAME", description = "The model's name.")
            String model;
            @Option(names = "--classes", paramLabel = "N", defaultValue = "0",
                    description = "Classes a request may ask for (0 to N-1); 0 for an unconditioned model (default: ${DEFAULT-VALUE}).")
            int classes;
            @Option(names = "--no-class", paramLabel = "K",
                    description = "Class index that means \"no class\" for classifier-free guidance (default: the class count).")
            Integer noClass;
            @Option(names = "--class-names", paramLabel = "A,B,...", split = ",",
                    description = "A name for each class, so requests may say --label NAME.")
            List<String> classNames;
            @Option(names = "--default-steps", paramLabel = "N", defaultValue = "" + TorchScriptArchitecture.DEFAULT_STEPS,
                    description = "Steps a request gets when it names none (default: ${DEFAULT-VALUE}).")
            int defaultSteps;
            @Option(names = "--default-guidance", paramLabel = "SCALE", defaultValue = "" + TorchScriptArchitecture.DEFAULT_GUIDANCE,
                    description = "Guidance a request to a class-conditioned model gets when it names none (default: ${DEFAULT-VALUE}).")
            float defaultGuidance;
            @Option(names = "--dataset", paramLabel = "TEXT", defaultValue = "external",
                    description = "What it was trained on, as `models list` shows it (default: ${DEFAULT-VALUE}).")
            String dataset;
            @Option(names = "--metric", paramLabel = "NAME=VALUE", description = "A quality metric to publish with it; repeatable.")
            Map<String, Double> metrics;
            @ArgGroup(exclusive = true)
            Placement placement;
        }

        static final class Placement {
            @Option(names = "--weights-uri", paramLabel = "URI", description = "Publish by reference: samplers fetch the archive "
                    + "from this file:, http: or https: URI and check its SHA-256 (default: inline when it fits a record, "
                    + "else the archive's own file: URI).")
            String uri;
            @Option(names = "--inline", description = "Publish the archive's bytes in the record, whatever its size.")
            boolean inline;
        }

        @Override
        public Integer call() throws Exception {
            ModelVersionPublisher publisher = new ModelVersionPublisher(connection.settings());
            ModelVersion published = source.file != null ? publisher.publish(TrainedModelFiles.read(source.file))
                    : publishTorchScript(publisher, source.torchScript);
            System.out.printf("Published %s version %d (sha256 %s)%s%n", published.getModel(), published.getVersion(),
                    published.getWeightsSha256(), published.getWeightsUri() == null ? "" : " by reference to " + published.getWeightsUri());
            return 0;
        }

        private static ModelVersion publishTorchScript(ModelVersionPublisher publisher, TorchScriptOptions options)
                throws Exception {
            TorchScriptImport.Contract contract = new TorchScriptImport.Contract(
                    TorchScriptArchitecture.parseShape(options.image), options.classes, options.noClass,
                    options.classNames == null ? List.of() : options.classNames, options.defaultSteps, options.defaultGuidance,
                    options.dataset, options.metrics == null ? Map.of() : options.metrics);
            TrainedModel model = TorchScriptImport.checked(options.model, options.archive, options.schedulerConfig, contract,
                    warning -> System.err.println("denoise: warning: " + warning));
            String uri = weightsUri(options, model);
            if (uri != null) {
                WeightsArtifacts.check(uri, model.sha256(), Duration.ofSeconds(30));
            }
            return publisher.publish(model, uri);
        }

        /** Where the archive travels: the URI given, inline when asked or when it fits a record, else its own file. */
        private static String weightsUri(TorchScriptOptions options, TrainedModel model) {
            int limit = Topics.MODEL_VERSIONS_MAX_BYTES - RECORD_HEADROOM;
            Placement placement = options.placement;
            if (placement != null && placement.uri != null) {
                return placement.uri;
            }
            if (placement != null && placement.inline) {
                if (model.weights().length > limit) {
                    throw new IllegalArgumentException("The archive is " + model.weights().length + " bytes, more than a record "
                            + "of the model-versions topic holds (" + limit + "); publish it by reference (--weights-uri)");
                }
                return null;
            }
            return model.weights().length <= limit ? null : options.archive.toAbsolutePath().toUri().toString();
        }
    }

    /** Room in a model-versions record for everything besides the weights. */
    private static final int RECORD_HEADROOM = 64 * 1024;
}
