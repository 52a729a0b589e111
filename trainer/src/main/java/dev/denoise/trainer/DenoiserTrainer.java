package dev.denoise.trainer;

import ai.djl.Device;
import dev.denoise.diffusion.ArticleSampler;
import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.ComputeDevice;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.DenoiserArchitecture;
import dev.denoise.diffusion.UniformNoise;
import dev.denoise.diffusion.WeightsPackage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Trains a denoiser with the article's recipe (corrupt with a uniform noise amount per image,
 * predict the clean image, MSE, Adam), evaluating and checkpointing after every epoch, and
 * returns everything a model version needs as a {@link TrainedModel}.
 *
 * <p>Output folder: {@code checkpoint.*} (resume state), {@code samples-epoch-NN-steps-SS.png},
 * the final {@code <model>.weights} and {@code <model>.properties}, and {@code cache/} (the digit
 * classifier, downloaded MNIST).
 */
public final class DenoiserTrainer {

    static final int QUALITY_SAMPLES = 1_000;
    static final int QUALITY_STEPS = 40;
    private static final long QUALITY_SEED_BASE = 1_000_000L;

    private final DenoiserArchitecture architecture;
    private final int qualitySamples;

    public DenoiserTrainer() {
        this(new ArticleUNet(), QUALITY_SAMPLES);
    }

    /** @param qualitySamples samples judged by the digit classifier at the end (tests use few) */
    public DenoiserTrainer(DenoiserArchitecture architecture, int qualitySamples) {
        this.architecture = architecture;
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
            Adam adam = new Adam(denoiser.block(), denoiser.manager(), options.learningRate());
            List<Double> epochLosses = new ArrayList<>();
            int startEpoch = 1;
            Optional<Checkpoint> checkpoint = options.resume() ? Checkpoint.read(out) : Optional.empty();
            if (checkpoint.isPresent()) {
                Checkpoint c = checkpoint.get();
                c.requireCompatible(options, all.name(), architecture.name());
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

            TrainingStep step = new TrainingStep(denoiser, adam);
            for (int epoch = startEpoch; epoch <= options.epochs(); epoch++) {
                long started = System.nanoTime();
                denoiser.requireGradients(true);
                double loss = runEpoch(step, train, options, epoch, listener);
                double seconds = (System.nanoTime() - started) / 1e9;
                denoiser.requireGradients(false);
                epochLosses.add(loss);

                Map<String, Double> mse = DenoisingEvaluation.mseByNoise(denoiser, heldOut);
                List<Path> sheets = DenoisingEvaluation.writeSampleSheets(denoiser, out,
                        String.format(Locale.ROOT, "samples-epoch-%02d", epoch));
                WeightsPackage weights = denoiser.weights();
                new Checkpoint(epoch, options.seed(), options.batchSize(), options.learningRate(),
                        all.name(), options.heldOut(), architecture.name(), weights.sha256(),
                        epochLosses, weights.weights(), adam.encodeState()).write(out);
                listener.onEpochEnd(new TrainingListener.EpochSummary(epoch, options.epochs(),
                        loss, seconds, train.count() / seconds, mse, sheets));
            }

            denoiser.requireGradients(false);
            Map<String, Double> metrics = new LinkedHashMap<>(
                    DenoisingEvaluation.mseByNoise(denoiser, heldOut));
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
        int[] order = SeedStreams.permutation(train.count(),
                SeedStreams.stream(options.seed(), epoch, -1));
        int batches = (train.count() + options.batchSize() - 1) / options.batchSize();
        listener.onEpochStart(epoch, options.epochs(), batches);
        double lossSum = 0;
        for (int b = 0; b < batches; b++) {
            int from = b * options.batchSize();
            int n = Math.min(options.batchSize(), train.count() - from);
            float[] clean = new float[n * pixels];
            for (int i = 0; i < n; i++) {
                train.copyImage(order[from + i], clean, i * pixels);
            }
            SplittableRandom random = SeedStreams.stream(options.seed(), epoch, b);
            float[] amounts = new float[n];
            float[] noise = new float[n * pixels];
            UniformNoise.fill(random, amounts, 0, n);
            UniformNoise.fill(random, noise, 0, noise.length);
            double loss = step.run(clean, amounts, noise);
            if (!Double.isFinite(loss)) {
                throw new IllegalStateException("Training diverged: loss " + loss + " in epoch "
                        + epoch + ", batch " + (b + 1));
            }
            lossSum += loss;
            listener.onBatch(epoch, b + 1, batches, loss);
        }
        return lossSum / batches;
    }

    /** Classifier confidence and class coverage of samples at 40 steps (see {@link SampleQuality}). */
    private Map<String, Double> sampleQuality(Denoiser denoiser, MnistDataset train,
                                              MnistDataset heldOut, TrainingOptions options,
                                              Device device, TrainingListener listener)
            throws IOException {
        try (DigitClassifier classifier = DigitClassifier.loadOrTrain(
                options.outputDir().resolve("cache"), train, options.seed(), device, listener)) {
            double accuracy = classifier.accuracy(heldOut);
            listener.onMessage(String.format(Locale.ROOT,
                    "Digit classifier held-out accuracy %.3f; judging %d samples at %d steps",
                    accuracy, qualitySamples, QUALITY_STEPS));
            List<float[]> probabilities = new ArrayList<>();
            ArticleSampler sampler = new ArticleSampler();
            for (int from = 0; from < qualitySamples; from += 100) {
                long[] seeds = new long[Math.min(100, qualitySamples - from)];
                for (int i = 0; i < seeds.length; i++) {
                    seeds[i] = QUALITY_SEED_BASE + from + i;
                }
                for (float[] p : classifier.probabilities(sampler.sample(denoiser, seeds, QUALITY_STEPS))) {
                    probabilities.add(p);
                }
            }
            SampleQuality quality = SampleQuality.of(probabilities.toArray(new float[0][]));
            listener.onMessage("Predicted digits of the samples (0..9): "
                    + java.util.Arrays.toString(quality.histogram()));
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("classifier.confidence", quality.meanConfidence());
            metrics.put("classifier.class-entropy-bits", quality.classEntropyBits());
            metrics.put("classifier.accuracy", accuracy);
            return metrics;
        }
    }
}
