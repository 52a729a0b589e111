package dev.denoise.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.denoise.diffusion.Denoiser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How one family of architectures is trained and judged: the loss of a batch, the held-out
 * metrics and sample sheets after each epoch, the samples the digit classifier reads at the end.
 * The training loop ({@link DenoiserTrainer}) is the same for all; {@link Recipes} gives each
 * family its recipe.
 */
interface Recipe {

    /**
     * The loss of one batch of clean images (row-major, in [0, 1]) with their digits, every random
     * draw taken from {@code random}; called inside a gradient collector, its arrays in {@code batch}.
     */
    NDArray loss(Denoiser denoiser, NDManager batch, float[] clean, int[] labels, SplittableRandom random);

    /** The SHA-256 of the weights it learns from (a distilled student's teacher), so a resume cannot switch them; empty for none. */
    default String teacher() {
        return "";
    }

    /** Prepares a freshly initialised network before the first step (a student copies its teacher); nothing by default. */
    default void initialize(Denoiser denoiser) {
    }

    /** Held-out metrics after each epoch, on the same inputs every epoch. */
    Map<String, Double> heldOut(Denoiser denoiser, MnistDataset heldOut);

    /** Sample sheets after each epoch; the files written. */
    List<Path> writeSheets(Denoiser denoiser, Path dir, String prefix) throws IOException;

    /** The samples the classifier judges at the end: image i asks for {@code labels[i]} where the model takes labels. */
    List<byte[]> qualitySamples(Denoiser denoiser, long[] seeds, int[] labels);

    /**
     * Further settings judged at the end like {@link #qualitySamples}, by the suffix their metrics
     * get (e.g. {@code @2-passes}); none by default.
     */
    default Map<String, SampleEvaluation.BatchSampler> otherQualitySettings(Denoiser denoiser) {
        return Map.of();
    }

    /** How {@link #qualitySamples} samples, for the log. */
    String qualityDescription();

    /** Whether the model takes labels, so the classifier's reading can be compared with the label asked for. */
    boolean labelled();

    /**
     * Decay per step of the moving average of the weights that the model is published with; 0
     * for none (the article's recipe publishes its last weights).
     */
    float averageDecay();
}
