package dev.denoise.trainer;

/**
 * Sample quality as numbers from a digit classifier's view of the samples: how sure it is
 * (mean top-class probability) and how evenly the samples cover the ten digits (entropy of the
 * predicted-class histogram in bits; log2(10) ≈ 3.32 for perfect coverage, 0 for one digit).
 */
record SampleQuality(double meanConfidence, double classEntropyBits, int[] histogram) {

    static SampleQuality of(float[][] probabilities) {
        int[] histogram = new int[probabilities[0].length];
        double confidence = 0;
        for (float[] p : probabilities) {
            int top = DigitClassifier.argMax(p);
            histogram[top]++;
            confidence += p[top];
        }
        double entropy = 0;
        for (int count : histogram) {
            if (count > 0) {
                double share = (double) count / probabilities.length;
                entropy -= share * Math.log(share) / Math.log(2);
            }
        }
        return new SampleQuality(confidence / probabilities.length, entropy, histogram);
    }

    /** The fraction of samples whose most probable class is the digit asked for. */
    static double labelAccuracy(float[][] probabilities, int[] asked) {
        int hits = 0;
        for (int i = 0; i < probabilities.length; i++) {
            if (DigitClassifier.argMax(probabilities[i]) == asked[i]) {
                hits++;
            }
        }
        return (double) hits / probabilities.length;
    }
}
