package dev.denoise.trainer;

import java.util.Map;
import java.util.Objects;

/**
 * The outcome of a training run, in plain Java types: what a publisher needs to describe a new
 * model version (weights and hash, architecture and hyper-parameters, data set, recipe, metrics).
 *
 * @param metrics mse@0.1 … mse@0.9 (held-out denoising MSE per noise amount),
 *                classifier.confidence (mean top-class probability of 1,000 40-step samples),
 *                classifier.class-entropy-bits (entropy of their predicted-class histogram;
 *                log2(10) ≈ 3.32 when all digits are equally frequent), classifier.accuracy
 *                (the judge's own held-out accuracy)
 */
public record TrainedModel(String modelName, String architecture,
                           Map<String, String> hyperParameters, byte[] weights, String sha256,
                           String dataset, int epochs, int batchSize, float learningRate,
                           long seed, double finalLoss, Map<String, Double> metrics) {

    public TrainedModel {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(architecture, "architecture");
        hyperParameters = dev.denoise.diffusion.SortedMaps.of(hyperParameters);
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(sha256, "sha256");
        metrics = dev.denoise.diffusion.SortedMaps.of(metrics);
    }

    /** The weights with their identity, ready for {@code Denoiser.load}. */
    public dev.denoise.diffusion.WeightsPackage weightsPackage() {
        return new dev.denoise.diffusion.WeightsPackage(architecture, hyperParameters, weights,
                sha256);
    }

    @Override
    public String toString() {
        return "TrainedModel[" + modelName + ", " + architecture + ", " + weights.length
                + " bytes, sha256=" + sha256 + ", dataset=" + dataset + ", epochs=" + epochs
                + ", finalLoss=" + finalLoss + ", metrics=" + metrics + "]";
    }
}
