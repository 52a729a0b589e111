package dev.denoise.diffusion;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The samplers of {@link MaskedUNet}: every token starts masked; step i of K reveals {@link
 * #revealedBy}(i+1) − revealedBy(i) more of them (a linear schedule: the masked fraction falls
 * from 1 to 0 in K equal steps, so every token is revealed by the last), each drawn from the
 * network's predicted distribution for it. Which tokens a step reveals:
 * <ul>
 *   <li>{@code masked}: a random order fixed at the start (MDLM's ancestral sampler with the number
 *       revealed each step fixed to its expectation);</li>
 *   <li>{@code masked-confidence}: the masked tokens the network is surest of first (MaskGIT's
 *       order), ties to the lower pixel index.</li>
 * </ul>
 * Every draw comes from one generator seeded by the image's seed, so an image is fixed by its seed,
 * label, guidance, steps and weights. Images are 0 or 255 a pixel.
 */
public final class MaskedSampler implements Sampler {
    public static final String RANDOM_ORDER = "masked";
    public static final String CONFIDENCE_FIRST = "masked-confidence";
    /** The names, the default first. */
    public static final List<String> NAMES = List.of(RANDOM_ORDER, CONFIDENCE_FIRST);

    private final String name;

    public MaskedSampler(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("Unknown sampler '" + name + "'; known: " + NAMES);
        }
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    /** Network passes per image of a {@code steps}-step sample asking for {@code label} at guidance {@code scale}. */
    public static int passes(int steps, int label, float scale) {
        return steps * rowsPerStep(label, scale);
    }

    /** Scale 0 or no label: the unconditional row; 1: the conditional one; any other: both. */
    private static int rowsPerStep(int label, float scale) {
        return label != CondUNet.NO_CLASS && Prediction.mixes(scale) ? 2 : 1;
    }

    /** Tokens revealed after {@code step} of {@code steps} steps: ⌊pixels·step/steps⌋. */
    static int revealedBy(int step, int steps, int pixels) {
        return (int) ((long) pixels * step / steps);
    }

    @Override
    public Trajectory start(long seed, int steps, int label, float scale, int pixels) {
        if (steps > pixels) {
            throw new IllegalArgumentException("A masked sampler reveals at least one of the " + pixels
                    + " tokens a step, so steps must be 1 to " + pixels + ", not " + steps);
        }
        return new Unmasking(seed, steps, label, scale, pixels);
    }

    /** One image's tokens, revealed a few at a time. */
    private final class Unmasking extends Trajectory {
        private final int label;
        private final float scale;
        private final SplittableRandom random;
        /** The order tokens are revealed in ({@code masked}); null for confidence first. */
        private final int[] order;
        /** P(white) of each pixel at the current step, from the network. */
        private final float[] white;

        Unmasking(long seed, int steps, int label, float scale, int pixels) {
            super(seed, steps, masked(pixels));
            this.label = label;
            this.scale = scale;
            this.random = new SplittableRandom(seed);
            this.order = RANDOM_ORDER.equals(name) ? RandomOrder.of(pixels, random) : null;
            this.white = new float[pixels];
        }

        @Override
        public int rows() {
            return rowsPerStep(label, scale);
        }

        @Override
        void writeRows(float[] images, int[] timesteps, int[] labels, int row) {
            writeGuidedRows(images, labels, row, label, scale);
        }

        /** Outputs hold two logits a pixel (black, white) as two 28x28 planes a row. */
        @Override
        void move(float[] outputs, int row) {
            int pixels = x.length;
            int stride = MaskedUNet.VALUES * pixels;
            boolean guided = rows() == 2;
            for (int p = 0; p < pixels; p++) {
                float logit = whiteLogit(outputs, row * stride, p, pixels);
                if (guided) {
                    float unconditional = whiteLogit(outputs, (row + 1) * stride, p, pixels);
                    logit = unconditional + (logit - unconditional) * scale;
                }
                white[p] = (float) (1 / (1 + Math.exp(-logit)));
            }
            int from = revealedBy(step(), steps(), pixels);
            int to = revealedBy(step() + 1, steps(), pixels);
            int[] chosen = order != null ? Arrays.copyOfRange(order, from, to) : surest(to - from);
            for (int p : chosen) {
                x[p] = random.nextDouble() < white[p] ? 1f : 0f;
            }
        }

        /** The {@code count} masked pixels whose predicted value is most certain, ties to the lower index. */
        private int[] surest(int count) {
            return IntStream.range(0, x.length)
                    .filter(p -> x[p] == MaskedUNet.MASK)
                    .boxed()
                    .sorted((a, b) -> {
                        int byCertainty = Float.compare(certainty(b), certainty(a));
                        return byCertainty != 0 ? byCertainty : Integer.compare(a, b);
                    })
                    .limit(count)
                    .mapToInt(Integer::intValue)
                    .toArray();
        }

        private float certainty(int p) {
            return Math.abs(white[p] - 0.5f);
        }

        @Override
        public byte[] image() {
            byte[] image = new byte[x.length];
            for (int p = 0; p < x.length; p++) {
                if (x[p] == MaskedUNet.MASK) {
                    throw new IllegalStateException("pixel " + p + " of seed " + seed() + " is still masked");
                }
                image[p] = x[p] == 1f ? (byte) 255 : 0;
            }
            return image;
        }
    }

    /** The white-minus-black logit of pixel {@code p} in the row whose outputs start at {@code offset}. */
    private static float whiteLogit(float[] outputs, int offset, int p, int pixels) {
        return outputs[offset + pixels + p] - outputs[offset + p];
    }

    private static float[] masked(int pixels) {
        float[] tokens = new float[pixels];
        Arrays.fill(tokens, MaskedUNet.MASK);
        return tokens;
    }
}
