package dev.denoise.trainer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Progress of a training run; all methods are called on the training thread. */
public interface TrainingListener {

    /** Before the first epoch; {@code startEpoch} > 1 when resuming. */
    default void onStart(String description, int trainImages, int heldOutImages, int startEpoch,
                         int epochs) {
    }

    default void onEpochStart(int epoch, int epochs, int batches) {
    }

    /** After each optimizer step, with that batch's loss. */
    default void onBatch(int epoch, int batch, int batches, double loss) {
    }

    default void onEpochEnd(EpochSummary summary) {
    }

    /** Anything else worth telling a person (evaluation phases, cache hits, files written). */
    default void onMessage(String message) {
    }

    /** One finished epoch. */
    record EpochSummary(int epoch, int epochs, double meanLoss, double seconds,
                        double imagesPerSecond, Map<String, Double> heldOut,
                        List<Path> sampleSheets) {
    }

    TrainingListener SILENT = new TrainingListener() {
    };
}
