package dev.denoise.trainer;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Judges generated digits with the project's digit classifier: how sure it is, how evenly the
 * samples cover the digits, how often it reads the digit asked for, and the Fréchet distance of
 * its penultimate features to held-out real digits, beside the same distance between two disjoint
 * real sets (the floor: what a perfect generator would score with this many images).
 */
public final class SampleEvaluation implements AutoCloseable {

    /** What the classifier reads in a set of samples. */
    public record Verdict(double labelAccuracy, double confidence, double classEntropyBits, int[] histogram,
                          double frechetDistance, double realFloor) {

        /** As published metrics; label accuracy only where labels were asked for. */
        public Map<String, Double> metrics() {
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("classifier.confidence", confidence);
            metrics.put("classifier.class-entropy-bits", classEntropyBits);
            if (!Double.isNaN(labelAccuracy)) {
                metrics.put("classifier.label-accuracy", labelAccuracy);
            }
            metrics.put("classifier.frechet-distance", frechetDistance);
            metrics.put("classifier.frechet-distance-real", realFloor);
            return metrics;
        }
    }

    /** Makes the images of a batch of seeds, image i asking for digit {@code labels[i]}. */
    @FunctionalInterface
    public interface BatchSampler {
        List<byte[]> sample(long[] seeds, int[] labels);
    }

    /** Seeds of judged samples start here, far from the small seeds of sheets and demos. */
    static final long SEED_BASE = 1_000_000L;
    private static final int BATCH = 100;

    private final DigitClassifier classifier;
    private final MnistDataset heldOut;
    private final double classifierAccuracy;
    private final double[][] realFeatures;
    private final double realFloor;

    private SampleEvaluation(DigitClassifier classifier, MnistDataset train, MnistDataset heldOut) {
        this.classifier = classifier;
        this.heldOut = heldOut;
        this.classifierAccuracy = classifier.accuracy(heldOut);
        int realCount = Math.min(heldOut.count(), train.count());
        this.realFeatures = classifier.features(images(heldOut, realCount));
        this.realFloor = FrechetDistance.between(classifier.features(images(train, realCount)), realFeatures);
    }

    /**
     * The classifier for {@code data} split as the trainer splits it (the last {@code heldOut}
     * images held out), loaded from {@code cacheDir} or trained there with {@code seed}.
     */
    public static SampleEvaluation open(Path data, int heldOut, Path cacheDir, long seed, Device device,
                                        TrainingListener listener) throws IOException {
        MnistDataset all = MnistDataset.load(data);
        return open(all.slice(0, all.count() - heldOut, ""), all.slice(all.count() - heldOut, all.count(),
                "#held-out"), cacheDir, seed, device, listener);
    }

    static SampleEvaluation open(MnistDataset train, MnistDataset heldOut, Path cacheDir, long seed, Device device,
                                 TrainingListener listener) throws IOException {
        DigitClassifier classifier = DigitClassifier.loadOrTrain(cacheDir, train, seed, device, listener);
        try {
            return new SampleEvaluation(classifier, train, heldOut);
        } catch (RuntimeException e) {
            classifier.close();
            throw e;
        }
    }

    /** The held-out digits it compares samples with. */
    public MnistDataset heldOut() {
        return heldOut;
    }

    /** The classifier's accuracy on the held-out real digits. */
    public double classifierAccuracy() {
        return classifierAccuracy;
    }

    /** How many real digits the Fréchet distances compare with. */
    public int realCount() {
        return realFeatures.length;
    }

    /**
     * Samples {@code count} images in batches of 100 (seed {@code SEED_BASE + i} asking for digit
     * i mod 10) and judges them, against the digits asked for where {@code labelled}.
     */
    public Verdict sampleAndJudge(int count, boolean labelled, BatchSampler sampler) {
        List<byte[]> samples = new ArrayList<>(count);
        int[] asked = new int[count];
        for (int from = 0; from < count; from += BATCH) {
            int n = Math.min(BATCH, count - from);
            long[] seeds = new long[n];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                seeds[i] = SEED_BASE + from + i;
                labels[i] = (from + i) % 10;
                asked[from + i] = labels[i];
            }
            samples.addAll(sampler.sample(seeds, labels));
        }
        return judge(samples, labelled ? asked : null);
    }

    /** Judges {@code samples} (28x28 grey bytes); {@code asked[i]} is sample i's digit, or null for unlabelled samples. */
    public Verdict judge(List<byte[]> samples, int[] asked) {
        float[][] probabilities = classifier.probabilities(samples);
        SampleQuality quality = SampleQuality.of(probabilities);
        double labelAccuracy = asked == null ? Double.NaN : SampleQuality.labelAccuracy(probabilities, asked);
        double distance = FrechetDistance.between(classifier.features(samples), realFeatures);
        return new Verdict(labelAccuracy, quality.meanConfidence(), quality.classEntropyBits(), quality.histogram(),
                distance, realFloor);
    }

    private static List<byte[]> images(MnistDataset data, int count) {
        int pixels = data.pixelsPerImage();
        List<byte[]> images = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            images.add(Arrays.copyOfRange(data.pixels(), i * pixels, (i + 1) * pixels));
        }
        return images;
    }

    @Override
    public void close() {
        classifier.close();
    }
}
