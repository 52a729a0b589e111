package dev.denoise.trainer;

import ai.djl.Device;
import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.ComputeDevice;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.DenoiserArchitecture;
import dev.denoise.diffusion.RandomOrder;
import dev.denoise.diffusion.WeightsPackage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Trains a denoiser with its family's {@link Recipe} (see {@link Recipes}) and Adam, evaluating
 * and checkpointing after every epoch, and returns everything a model version needs as a
 * {@link TrainedModel}.
 *
 * <p>Output folder: {@code checkpoint.*} (resume state), {@code samples-epoch-NN-steps-SS.png},
 * the final {@code <model>.weights} and {@code <model>.properties}, and {@code cache/} (the digit
 * classifier, downloaded MNIST).
 */
public final class DenoiserTrainer {

    static final int QUALITY_SAMPLES = 1_000;

    private final DenoiserArchitecture architecture;
    private final Recipe recipe;
    private final int qualitySamples;

    public DenoiserTrainer() {
        this(new ArticleUNet(), QUALITY_SAMPLES);
    }

    public DenoiserTrainer(DenoiserArchitecture architecture) {
        this(architecture, QUALITY_SAMPLES);
    }

    /** @param qualitySamples samples judged by the digit classifier at the end (tests use few) */
    public DenoiserTrainer(DenoiserArchitecture architecture, int qualitySamples) {
        this(architecture, Recipes.of(architecture), qualitySamples);
    }

    /** A student of {@code teacher}'s family, trained by {@link FlowMapDistillation}; the teacher stays the caller's. */
    public static DenoiserTrainer distilling(Denoiser teacher) {
        return distilling(teacher, QUALITY_SAMPLES);
    }

    /** As above, judging {@code qualitySamples} samples at the end (tests use few). */
    public static DenoiserTrainer distilling(Denoiser teacher, int qualitySamples) {
        return new DenoiserTrainer(FlowMapDistillation.studentOf(teacher), new FlowMapDistillation(teacher),
                qualitySamples);
    }

    private DenoiserTrainer(DenoiserArchitecture architecture, Recipe recipe, int qualitySamples) {
        this.architecture = architecture;
        this.recipe = recipe;
        this.qualitySamples = qualitySamples;
    }

    public TrainedModel train(TrainingOptions options, TrainingListener listener)
            throws IOException {
        Path out = options.outputDir();
        Files.createDirectories(out);
        MnistDataset all = options.dataDir() != null ? MnistDataset.load(options.dataDir())
                : MnistDownload.ensure(out.resolve("cache").resolve("mnist"), listener);
        if (all.count() <= options.heldOut()) {
            throw new InvalidDatasetException(all.name() + " has " + all.count()
                    + " images, not enough to hold out " + options.heldOut());
        }
        MnistDataset train = all.slice(0, all.count() - options.heldOut(), "");
        MnistDataset heldOut = all.slice(all.count() - options.heldOut(), all.count(), "#held-out");
        Device device = ComputeDevice.choose();

        try (Denoiser denoiser = Denoiser.initialized(architecture, device, options.seed())) {
            recipe.initialize(denoiser);
            Adam adam = new Adam(denoiser.block(), denoiser.manager(), options.learningRate());
            List<Double> epochLosses = new ArrayList<>();
            int startEpoch = 1;
            Optional<Checkpoint> checkpoint = options.resume() ? Checkpoint.read(out) : Optional.empty();
            if (checkpoint.isPresent()) {
                Checkpoint c = checkpoint.get();
                c.requireCompatible(options, all.name(), architecture.name(), recipe.teacher());
                if (c.averageWeights() != null) {
                    denoiser.replaceWeights(WeightsPackage.of(architecture, c.averageWeights())); // the average starts here
                }
            }
            WeightAverage average = recipe.averageDecay() > 0
                    ? new WeightAverage(denoiser.block(), denoiser.manager(), recipe.averageDecay()) : null;
            if (checkpoint.isPresent()) {
                Checkpoint c = checkpoint.get();
                denoiser.replaceWeights(new WeightsPackage(architecture.name(),
                        architecture.hyperParameters(), c.weights(), c.sha256()));
                adam.restoreState(c.optimizerState());
                epochLosses.addAll(c.epochLosses());
                startEpoch = c.epoch() + 1;
                listener.onMessage("Resuming after epoch " + c.epoch() + " from " + out);
            } else if (options.resume()) {
                listener.onMessage("No checkpoint in " + out + "; starting from scratch");
            }
            listener.onStart(all.name() + " with " + architecture.name() + " on "
                            + ComputeDevice.describe(), train.count(), heldOut.count(),
                    startEpoch, options.epochs());

            TrainingStep step = new TrainingStep(denoiser, recipe, adam, average);
            for (int epoch = startEpoch; epoch <= options.epochs(); epoch++) {
                long started = System.nanoTime();
                denoiser.requireGradients(true);
                double loss = runEpoch(step, train, options, epoch, listener);
                double seconds = (System.nanoTime() - started) / 1e9;
                denoiser.requireGradients(false);
                epochLosses.add(loss);

                WeightsPackage weights = denoiser.weights();
                byte[] averaged = null;
                if (average != null) {
                    average.swap(); // judge the weights that would be published
                    averaged = denoiser.weights().weights();
                }
                Map<String, Double> metrics = recipe.heldOut(denoiser, heldOut);
                List<Path> sheets = recipe.writeSheets(denoiser, out,
                        String.format(Locale.ROOT, "samples-epoch-%02d", epoch));
                if (average != null) {
                    average.swap();
                }
                new Checkpoint(epoch, options.seed(), options.batchSize(), options.learningRate(),
                        all.name(), options.heldOut(), architecture.name(), weights.sha256(),
                        epochLosses, weights.weights(), adam.encodeState(), averaged, recipe.teacher()).write(out);
                listener.onEpochEnd(new TrainingListener.EpochSummary(epoch, options.epochs(),
                        loss, seconds, train.count() / seconds, metrics, sheets));
            }

            denoiser.requireGradients(false);
            if (average != null) {
                average.swap(); // the published model is the average
                average.close();
            }
            Map<String, Double> metrics = new LinkedHashMap<>(recipe.heldOut(denoiser, heldOut));
            metrics.putAll(sampleQuality(denoiser, train, heldOut, options, device, listener));
            WeightsPackage weights = denoiser.weights();
            double finalLoss = epochLosses.isEmpty() ? Double.NaN
                    : epochLosses.get(epochLosses.size() - 1);
            TrainedModel model = new TrainedModel(options.modelName(), architecture.name(),
                    architecture.hyperParameters(), weights.weights(), weights.sha256(),
                    all.name(), options.epochs(), options.batchSize(), options.learningRate(),
                    options.seed(), finalLoss, metrics);
            TrainedModelFiles.write(model, out);
            return model;
        }
    }

    /** One pass over the shuffled training images; returns the mean batch loss. */
    private static double runEpoch(TrainingStep step, MnistDataset train, TrainingOptions options,
                                   int epoch, TrainingListener listener) {
        int pixels = train.pixelsPerImage();
        int[] order = RandomOrder.of(train.count(),
                SeedStreams.stream(options.seed(), epoch, -1));
        int batches = (train.count() + options.batchSize() - 1) / options.batchSize();
        listener.onEpochStart(epoch, options.epochs(), batches);
        double lossSum = 0;
        for (int b = 0; b < batches; b++) {
            int from = b * options.batchSize();
            int n = Math.min(options.batchSize(), train.count() - from);
            float[] clean = new float[n * pixels];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                train.copyImage(order[from + i], clean, i * pixels);
                labels[i] = train.labels()[order[from + i]];
            }
            double loss = step.run(clean, labels, SeedStreams.stream(options.seed(), epoch, b));
            if (!Double.isFinite(loss)) {
                throw new IllegalStateException("Training diverged: loss " + loss + " in epoch "
                        + epoch + ", batch " + (b + 1));
            }
            lossSum += loss;
            listener.onBatch(epoch, b + 1, batches, loss);
        }
        return lossSum / batches;
    }

    /** What the digit classifier reads in the recipe's samples (see {@link SampleEvaluation}). */
    private Map<String, Double> sampleQuality(Denoiser denoiser, MnistDataset train,
                                              MnistDataset heldOut, TrainingOptions options,
                                              Device device, TrainingListener listener)
            throws IOException {
        try (SampleEvaluation evaluation = SampleEvaluation.open(train, heldOut,
                options.outputDir().resolve("cache"), options.seed(), device, listener)) {
            listener.onMessage(String.format(Locale.ROOT,
                    "Digit classifier held-out accuracy %.3f; judging %d samples at %s",
                    evaluation.classifierAccuracy(), qualitySamples, recipe.qualityDescription()));
            SampleEvaluation.Verdict verdict = evaluation.sampleAndJudge(qualitySamples, recipe.labelled(),
                    (seeds, labels) -> recipe.qualitySamples(denoiser, seeds, labels));
            listener.onMessage("Predicted digits of the samples (0..9): " + Arrays.toString(verdict.histogram()));
            listener.onMessage(String.format(Locale.ROOT,
                    "Frechet distance of the classifier's features to %d held-out digits: %.2f (two real sets: %.2f)",
                    evaluation.realCount(), verdict.frechetDistance(), verdict.realFloor()));
            Map<String, Double> metrics = new LinkedHashMap<>(verdict.metrics());
            metrics.put("classifier.accuracy", evaluation.classifierAccuracy());
            for (Map.Entry<String, SampleEvaluation.BatchSampler> other : recipe.otherQualitySettings(denoiser).entrySet()) {
                SampleEvaluation.Verdict otherVerdict = evaluation.sampleAndJudge(qualitySamples, recipe.labelled(),
                        other.getValue());
                listener.onMessage(String.format(Locale.ROOT, "At %s: label accuracy %.3f, confidence %.3f, "
                                + "Frechet distance %.2f (two real sets: %.2f)", other.getKey().substring(1),
                        otherVerdict.labelAccuracy(), otherVerdict.confidence(), otherVerdict.frechetDistance(),
                        otherVerdict.realFloor()));
                otherVerdict.metrics().forEach((name, value) -> {
                    if (!name.equals("classifier.frechet-distance-real")) {
                        metrics.put(name + other.getKey(), value);
                    }
                });
            }
            return metrics;
        }
    }
}
