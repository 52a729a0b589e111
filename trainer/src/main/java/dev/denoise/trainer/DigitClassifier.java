package dev.denoise.trainer;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import dev.denoise.diffusion.FanInUniformInit;
import dev.denoise.diffusion.RandomOrder;
import dev.denoise.diffusion.WeightsCodec;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A small convolutional digit classifier that judges samples: two 5x5 convolutions (16 and 32
 * channels, ReLU, 2x2 max-pool each), a hidden layer of 128 (the features a Fréchet distance
 * compares) and 10 classes. Trained once per data set on the training images and cached, since
 * its only job is to read digits reliably: a label accuracy can be no better than the reader's.
 */
final class DigitClassifier implements AutoCloseable {

    private static final int EPOCHS = 8;
    private static final int BATCH = 128;
    private static final int CLASSES = 10;

    private final NDManager manager;
    private final SequentialBlock block;
    private final ParameterStore store;
    private final int pixels;

    private DigitClassifier(Device device, int pixels) {
        this.manager = NDManager.newBaseManager(device);
        this.pixels = pixels;
        this.block = new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).optPadding(new Shape(2, 2)).setFilters(16).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).optPadding(new Shape(2, 2)).setFilters(32).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(128).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(CLASSES).build());
        block.setInitializer(Initializer.ZEROS, p -> true);
        block.initialize(manager, DataType.FLOAT32, shape(1));
        this.store = new ParameterStore(manager, false);
    }

    /** Loads the cached classifier for this data set, or trains and caches it. */
    static DigitClassifier loadOrTrain(Path cacheDir, MnistDataset train, long seed,
                                       Device device, TrainingListener listener)
            throws IOException {
        String key = WeightsCodec.sha256Hex(train.pixels()).substring(0, 16) + "-"
                + WeightsCodec.sha256Hex(train.labels()).substring(0, 8) + "-seed" + seed;
        Path file = cacheDir.resolve("digit-classifier-cnn-" + key + ".params");
        DigitClassifier classifier = new DigitClassifier(device, train.pixelsPerImage());
        try {
            if (Files.exists(file)) {
                try (DataInputStream in = new DataInputStream(
                        new ByteArrayInputStream(Files.readAllBytes(file)))) {
                    classifier.block.loadParameters(classifier.manager, in);
                }
                listener.onMessage("Digit classifier from cache " + file);
            } else {
                listener.onMessage("Training the digit classifier (cached in " + file + ")");
                classifier.train(train, seed);
                Files.createDirectories(cacheDir);
                Path temp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.write(temp, WeightsCodec.encode(classifier.block));
                Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return classifier;
        } catch (IOException | MalformedModelException | RuntimeException e) {
            classifier.close();
            throw e instanceof IOException io ? io : new IOException("Digit classifier: " + e.getMessage(), e);
        }
    }

    private void train(MnistDataset data, long seed) {
        FanInUniformInit.apply(block, seed);
        block.getParameters().forEach(p -> p.getValue().getArray().setRequiresGradient(true));
        Adam adam = new Adam(block, manager, 1e-3f);
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            int[] order = RandomOrder.of(data.count(), SeedStreams.stream(seed, 77, epoch));
            for (int from = 0; from < order.length; from += BATCH) {
                int n = Math.min(BATCH, order.length - from);
                float[] images = new float[n * pixels];
                float[] labels = new float[n];
                for (int i = 0; i < n; i++) {
                    data.copyImage(order[from + i], images, i * pixels);
                    labels[i] = data.labels()[order[from + i]];
                }
                try (NDManager batch = manager.newSubManager()) {
                    NDArray x = batch.create(images, shape(n));
                    NDArray y = batch.create(labels).toType(DataType.INT32, false).oneHot(CLASSES);
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray logits = block.forward(store, new NDList(x), true).singletonOrThrow();
                        NDArray loss = logits.logSoftmax(1).mul(y).sum(new int[] {1}).neg().mean();
                        collector.backward(loss);
                    }
                    adam.step(batch);
                }
            }
        }
        block.getParameters().forEach(p -> p.getValue().getArray().setRequiresGradient(false));
    }

    /** Class probabilities for 8-bit images, one row per image. */
    float[][] probabilities(List<byte[]> images) {
        float[][] result = new float[images.size()][];
        try (NDManager call = manager.newSubManager()) {
            NDArray x = batch(call, images);
            float[] probs = block.forward(store, new NDList(x), false).singletonOrThrow()
                    .softmax(1).toFloatArray();
            for (int i = 0; i < images.size(); i++) {
                result[i] = java.util.Arrays.copyOfRange(probs, i * CLASSES, (i + 1) * CLASSES);
            }
        }
        return result;
    }

    /**
     * The classifier's penultimate activations (after the hidden layer's ReLU) for 8-bit images,
     * one row per image: the features a Fréchet distance compares.
     */
    double[][] features(List<byte[]> images) {
        try (NDManager call = manager.newSubManager()) {
            NDList x = new NDList(batch(call, images));
            List<Block> layers = block.getChildren().values();
            for (Block layer : layers.subList(0, layers.size() - 1)) {
                x = layer.forward(store, x, false);
            }
            NDArray hidden = x.singletonOrThrow();
            int width = Math.toIntExact(hidden.getShape().get(1));
            float[] values = hidden.toFloatArray();
            double[][] rows = new double[images.size()][width];
            for (int i = 0; i < rows.length; i++) {
                for (int j = 0; j < width; j++) {
                    rows[i][j] = values[i * width + j];
                }
            }
            return rows;
        }
    }

    /** 8-bit images as one batch in [0, 1]. */
    private NDArray batch(NDManager manager, List<byte[]> images) {
        float[] flat = new float[images.size() * pixels];
        for (int i = 0; i < images.size(); i++) {
            byte[] image = images.get(i);
            for (int p = 0; p < pixels; p++) {
                flat[i * pixels + p] = (image[p] & 0xFF) / 255f;
            }
        }
        return manager.create(flat, shape(images.size()));
    }

    /** n square single-channel images. */
    private Shape shape(long n) {
        int side = (int) Math.round(Math.sqrt(pixels));
        return new Shape(n, 1, side, side);
    }

    /** Fraction of {@code data} classified correctly. */
    double accuracy(MnistDataset data) {
        List<byte[]> images = new java.util.ArrayList<>();
        for (int i = 0; i < data.count(); i++) {
            images.add(java.util.Arrays.copyOfRange(data.pixels(), i * pixels, (i + 1) * pixels));
        }
        float[][] probs = probabilities(images);
        int correct = 0;
        for (int i = 0; i < probs.length; i++) {
            if (argMax(probs[i]) == data.labels()[i]) {
                correct++;
            }
        }
        return (double) correct / probs.length;
    }

    static int argMax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public void close() {
        manager.close();
    }
}
