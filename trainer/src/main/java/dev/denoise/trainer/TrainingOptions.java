package dev.denoise.trainer;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything a training run is parameterised by.
 *
 * @param dataDir       folder with MNIST-format IDX files; {@code null} downloads standard MNIST
 *                      into {@code outputDir/cache/mnist} (needs network access)
 * @param epochs        passes over the training images
 * @param batchSize     images per optimizer step
 * @param learningRate  Adam's learning rate
 * @param seed          fixes initial weights, shuffling and noise: same seed, data and machine
 *                      give identical weights
 * @param outputDir     checkpoints, sample sheets, final weights, cached classifier
 * @param resume        continue from the checkpoint in {@code outputDir} if there is one
 * @param threads       PyTorch intra-op threads (≤ 0: engine default); effective only if set
 *                      before the engine loads (see {@code ComputeDevice.configureThreads})
 * @param heldOut       images at the end of the data set kept out of training, for evaluation
 * @param modelName     name the trained model is published under
 */
public record TrainingOptions(Path dataDir, int epochs, int batchSize, float learningRate,
                              long seed, Path outputDir, boolean resume, int threads,
                              int heldOut, String modelName) {

    public static final int DEFAULT_HELD_OUT = 1_000;

    public TrainingOptions {
        Objects.requireNonNull(outputDir, "outputDir");
        Objects.requireNonNull(modelName, "modelName");
        if (epochs < 1 || batchSize < 1 || heldOut < 1 || !(learningRate > 0)) {
            throw new IllegalArgumentException("epochs, batch size and held-out count must be "
                    + "positive and the learning rate > 0");
        }
    }

    /** The article's recipe: 10 epochs, batch 128, Adam 1e-3, seed 0, output in .denoise/train. */
    public static TrainingOptions defaults() {
        return new TrainingOptions(null, 10, 128, 1e-3f, 0L, Path.of(".denoise", "train"), false,
                0, DEFAULT_HELD_OUT, "mnist");
    }

    public TrainingOptions withDataDir(Path dir) {
        return new TrainingOptions(dir, epochs, batchSize, learningRate, seed, outputDir, resume,
                threads, heldOut, modelName);
    }

    public TrainingOptions withEpochs(int value) {
        return new TrainingOptions(dataDir, value, batchSize, learningRate, seed, outputDir,
                resume, threads, heldOut, modelName);
    }

    public TrainingOptions withBatchSize(int value) {
        return new TrainingOptions(dataDir, epochs, value, learningRate, seed, outputDir, resume,
                threads, heldOut, modelName);
    }

    public TrainingOptions withLearningRate(float value) {
        return new TrainingOptions(dataDir, epochs, batchSize, value, seed, outputDir, resume,
                threads, heldOut, modelName);
    }

    public TrainingOptions withSeed(long value) {
        return new TrainingOptions(dataDir, epochs, batchSize, learningRate, value, outputDir,
                resume, threads, heldOut, modelName);
    }

    public TrainingOptions withOutputDir(Path value) {
        return new TrainingOptions(dataDir, epochs, batchSize, learningRate, seed, value, resume,
                threads, heldOut, modelName);
    }

    public TrainingOptions withResume(boolean value) {
        return new TrainingOptions(dataDir, epochs, batchSize, learningRate, seed, outputDir,
                value, threads, heldOut, modelName);
    }

    public TrainingOptions withThreads(int value) {
        return new TrainingOptions(dataDir, epochs, batchSize, learningRate, seed, outputDir,
                resume, value, heldOut, modelName);
    }

    public TrainingOptions withHeldOut(int value) {
        return new TrainingOptions(dataDir, epochs, batchSize, learningRate, seed, outputDir,
                resume, threads, value, modelName);
    }

    public TrainingOptions withModelName(String value) {
        return new TrainingOptions(dataDir, epochs, batchSize, learningRate, seed, outputDir,
                resume, threads, heldOut, value);
    }
}
