package dev.denoise.trainer;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A trained model on disk: {@code <model>.weights} (WeightsCodec bytes) and, beside it,
 * {@code <model>.properties} (architecture, hyper-parameters, hash, recipe, metrics), so a model
 * can be published again later (`denoise models publish --file`).
 */
public final class TrainedModelFiles {
    private static final String HYPER = "hyper.";
    private static final String METRIC = "metric.";

    private TrainedModelFiles() {}

    public static void write(TrainedModel model, Path dir) throws IOException {
        Files.write(dir.resolve(model.modelName() + ".weights"), model.weights());
        Properties p = new Properties();
        p.setProperty("model", model.modelName());
        p.setProperty("architecture", model.architecture());
        model.hyperParameters().forEach((k, v) -> p.setProperty(HYPER + k, v));
        p.setProperty("sha256", model.sha256());
        p.setProperty("dataset", model.dataset());
        p.setProperty("epochs", Integer.toString(model.epochs()));
        p.setProperty("batchSize", Integer.toString(model.batchSize()));
        p.setProperty("learningRate", Float.toString(model.learningRate()));
        p.setProperty("seed", Long.toString(model.seed()));
        p.setProperty("finalLoss", Double.toString(model.finalLoss()));
        model.metrics().forEach((k, v) -> p.setProperty(METRIC + k, Double.toString(v)));
        try (Writer w = Files.newBufferedWriter(dir.resolve(model.modelName() + ".properties"))) {
            p.store(w, "trained denoiser");
        }
    }

    /** Reads {@code weightsFile} and the properties file beside it. */
    public static TrainedModel read(Path weightsFile) throws IOException {
        String name = weightsFile.getFileName().toString();
        if (!name.endsWith(".weights")) {
            throw new IllegalArgumentException("Expected a <model>.weights file written by `denoise train`, got " + weightsFile);
        }
        Path propertiesFile = weightsFile.resolveSibling(name.substring(0, name.length() - ".weights".length()) + ".properties");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(propertiesFile)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("Missing " + propertiesFile + " beside " + weightsFile
                    + ": it describes the weights (architecture, hash, recipe)");
        }
        Map<String, String> hyper = new TreeMap<>();
        Map<String, Double> metrics = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith(HYPER)) {
                hyper.put(key.substring(HYPER.length()), p.getProperty(key));
            } else if (key.startsWith(METRIC)) {
                metrics.put(key.substring(METRIC.length()), Double.parseDouble(p.getProperty(key)));
            }
        }
        try {
            return new TrainedModel(p.getProperty("model"), p.getProperty("architecture"), hyper,
                    Files.readAllBytes(weightsFile), p.getProperty("sha256"), p.getProperty("dataset"),
                    Integer.parseInt(p.getProperty("epochs")), Integer.parseInt(p.getProperty("batchSize")),
                    Float.parseFloat(p.getProperty("learningRate")), Long.parseLong(p.getProperty("seed")),
                    Double.parseDouble(p.getProperty("finalLoss")), metrics);
        } catch (NullPointerException | NumberFormatException e) {
            throw new IllegalArgumentException(propertiesFile + " is incomplete or malformed: " + e.getMessage(), e);
        }
    }
}
