package dev.denoise.trainer;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The state after a finished epoch: weights, optimizer moments, the weights' moving average
 * where the recipe keeps one, and the recipe they belong to. Files in the output folder; the
 * properties file is written last and marks a complete checkpoint.
 *
 * @param averageWeights the moving average's weights (WeightsCodec bytes), or null
 * @param teacher        the SHA-256 of the weights the recipe learns from (a distilled student's
 *                       teacher), or empty
 */
record Checkpoint(int epoch, long seed, int batchSize, float learningRate, String dataset,
                  int heldOut, String architecture, String sha256, List<Double> epochLosses,
                  byte[] weights, byte[] optimizerState, byte[] averageWeights, String teacher) {

    static final String PROPERTIES = "checkpoint.properties";
    static final String WEIGHTS = "checkpoint.weights";
    static final String OPTIMIZER = "checkpoint.optimizer";
    static final String AVERAGE = "checkpoint.average";

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        writeAtomically(dir.resolve(WEIGHTS), weights);
        writeAtomically(dir.resolve(OPTIMIZER), optimizerState);
        if (averageWeights != null) {
            writeAtomically(dir.resolve(AVERAGE), averageWeights);
        }
        Properties p = new Properties();
        p.setProperty("epoch", Integer.toString(epoch));
        p.setProperty("seed", Long.toString(seed));
        p.setProperty("batchSize", Integer.toString(batchSize));
        p.setProperty("learningRate", Float.toString(learningRate));
        p.setProperty("dataset", dataset);
        p.setProperty("heldOut", Integer.toString(heldOut));
        p.setProperty("architecture", architecture);
        p.setProperty("sha256", sha256);
        p.setProperty("teacher", teacher);
        p.setProperty("epochLosses", String.join(",", epochLosses.stream().map(String::valueOf).toList()));
        Path temp = dir.resolve(PROPERTIES + ".tmp");
        try (Writer w = Files.newBufferedWriter(temp)) {
            p.store(w, "denoise training checkpoint");
        }
        Files.move(temp, dir.resolve(PROPERTIES), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    static Optional<Checkpoint> read(Path dir) throws IOException {
        Path file = dir.resolve(PROPERTIES);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        List<Double> losses = new ArrayList<>();
        for (String loss : p.getProperty("epochLosses", "").split(",")) {
            if (!loss.isBlank()) {
                losses.add(Double.parseDouble(loss));
            }
        }
        return Optional.of(new Checkpoint(Integer.parseInt(p.getProperty("epoch")),
                Long.parseLong(p.getProperty("seed")), Integer.parseInt(p.getProperty("batchSize")),
                Float.parseFloat(p.getProperty("learningRate")), p.getProperty("dataset"),
                Integer.parseInt(p.getProperty("heldOut")), p.getProperty("architecture"),
                p.getProperty("sha256"), losses, Files.readAllBytes(dir.resolve(WEIGHTS)),
                Files.readAllBytes(dir.resolve(OPTIMIZER)),
                Files.exists(dir.resolve(AVERAGE)) ? Files.readAllBytes(dir.resolve(AVERAGE)) : null,
                p.getProperty("teacher", "")));
    }

    /** Refuses to continue a run with another recipe, naming the difference. */
    void requireCompatible(TrainingOptions options, String datasetName, String architectureName, String teacherSha256) {
        List<String> differences = new ArrayList<>();
        if (seed != options.seed()) {
            differences.add("seed " + seed + " vs " + options.seed());
        }
        if (batchSize != options.batchSize()) {
            differences.add("batch " + batchSize + " vs " + options.batchSize());
        }
        if (learningRate != options.learningRate()) {
            differences.add("learning rate " + learningRate + " vs " + options.learningRate());
        }
        if (heldOut != options.heldOut()) {
            differences.add("held-out " + heldOut + " vs " + options.heldOut());
        }
        if (!dataset.equals(datasetName)) {
            differences.add("dataset " + dataset + " vs " + datasetName);
        }
        if (!architecture.equals(architectureName)) {
            differences.add("architecture " + architecture + " vs " + architectureName);
        }
        if (!teacher.equals(teacherSha256)) {
            differences.add("teacher " + (teacher.isEmpty() ? "none" : teacher) + " vs "
                    + (teacherSha256.isEmpty() ? "none" : teacherSha256));
        }
        if (!differences.isEmpty()) {
            throw new IllegalStateException("Cannot resume: the checkpoint was made with "
                    + "another recipe (checkpoint vs now: " + String.join(", ", differences)
                    + "). Use another --out folder or the same options.");
        }
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(temp, bytes);
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
