package dev.denoise.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaskedSamplerTest {
    private static final int PIXELS = MaskedUNet.PIXELS;
    private static final Shape IMAGE = new Shape(1, 28, 28);

    /**
     * An exact network whose logits for a pixel depend only on its own row: white is likelier the
     * more of the row's tokens are already white, and likelier for higher labels than for none; a
     * term in p % 7 makes pixels differ in certainty, so confidence-first has a defined order.
     */
    private static final StepBatch.Network ROW_WISE = (x, timesteps, labels, guidance) -> {
        float[] tokens = x.toFloatArray();
        int rows = labels.length;
        float[] logits = new float[rows * 2 * PIXELS];
        for (int r = 0; r < rows; r++) {
            int white = 0;
            for (int p = 0; p < PIXELS; p++) {
                white += tokens[r * PIXELS + p] == 1f ? 1 : 0;
            }
            for (int p = 0; p < PIXELS; p++) {
                logits[r * 2 * PIXELS + PIXELS + p] = (white - 200) / 100f
                        + (labels[r] == CondUNet.NO_CLASS ? 0f : labels[r] / 5f) + (p % 7 - 3) * 0.1f;
            }
        }
        return x.getManager().create(logits, new Shape(rows, 2, 28, 28));
    };

    @Test
    void theScheduleRevealsEveryTokenOnceAndAtLeastOneAStep() {
        for (int steps : new int[] {1, 2, 7, 16, 32, 64, 100, 783, 784}) {
            assertThat(MaskedSampler.revealedBy(0, steps, PIXELS)).isZero();
            assertThat(MaskedSampler.revealedBy(steps, steps, PIXELS)).as("%d steps", steps).isEqualTo(PIXELS);
            for (int i = 0; i < steps; i++) {
                int revealed = MaskedSampler.revealedBy(i + 1, steps, PIXELS) - MaskedSampler.revealedBy(i, steps, PIXELS);
                // ⌊784/K⌋ or ⌈784/K⌉ a step: the masked fraction falls linearly
                assertThat(revealed).as("step %d of %d", i, steps).isBetween(PIXELS / steps, (PIXELS + steps - 1) / steps);
            }
        }
        assertThat(MaskedSampler.revealedBy(1, 32, PIXELS)).isEqualTo(24); // ⌊784/32⌋
        assertThat(MaskedSampler.revealedBy(16, 32, PIXELS)).isEqualTo(392);
    }

    @Test
    void everySamplerUnmasksOnScheduleAndEveryTokenByTheLastStep() {
        for (String name : MaskedSampler.NAMES) {
            for (int steps : new int[] {1, 5, 32, 784}) {
                Trajectory trajectory = new MaskedSampler(name).start(9, steps, 3, 1f, PIXELS);
                assertThat(masked(trajectory)).isEqualTo(PIXELS);
                try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
                    for (int i = 0; i < steps; i++) {
                        StepBatch.advance(ROW_WISE, manager, IMAGE, List.of(trajectory));
                        assertThat(masked(trajectory)).as("%s after step %d of %d", name, i + 1, steps)
                                .isEqualTo(PIXELS - MaskedSampler.revealedBy(i + 1, steps, PIXELS));
                    }
                }
                assertThat(trajectory.finished()).isTrue();
                for (byte pixel : trajectory.image()) {
                    assertThat(pixel & 0xFF).isIn(0, 255);
                }
            }
        }
    }

    @Test
    void anImageIsFixedByItsSeedAndIndependentOfItsBatchMates() {
        for (String name : MaskedSampler.NAMES) {
            MaskedSampler sampler = new MaskedSampler(name);
            byte[] alone = sample(sampler, new long[] {42}, new int[] {7}, 2f, 16).get(0);
            List<byte[]> batch = sample(sampler, new long[] {1, 42, 3}, new int[] {CondUNet.NO_CLASS, 7, 2}, 2f, 16);
            assertThat(batch.get(1)).as(name + ": seed 42 among others").isEqualTo(alone);
            assertThat(sample(sampler, new long[] {42}, new int[] {7}, 2f, 16).get(0)).as(name + ": again").isEqualTo(alone);
            assertThat(sample(sampler, new long[] {43}, new int[] {7}, 2f, 16).get(0)).as(name + ": another seed")
                    .isNotEqualTo(alone);
        }
    }

    @Test
    void guidanceTakesTwoRowsAndMovesTheDrawsTowardTheLabel() {
        MaskedSampler sampler = new MaskedSampler(MaskedSampler.RANDOM_ORDER);
        assertThat(sampler.start(1, 4, 3, 2f, PIXELS).rows()).isEqualTo(2);
        assertThat(sampler.start(1, 4, 3, 1f, PIXELS).rows()).isEqualTo(1);
        assertThat(sampler.start(1, 4, 3, 0f, PIXELS).rows()).isEqualTo(1);
        assertThat(sampler.start(1, 4, CondUNet.NO_CLASS, 2f, PIXELS).rows()).isEqualTo(1);
        // ROW_WISE favours white for high labels: guidance toward 9 whitens more than 9 alone.
        long[] seeds = new long[16];
        int[] nines = new int[16];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = i;
            nines[i] = 9;
        }
        assertThat(white(sample(sampler, seeds, nines, 3f, 8))).isGreaterThan(white(sample(sampler, seeds, nines, 1f, 8)));
    }

    @Test
    void confidenceFirstRevealsTheSurestTokensFirst() {
        // On an all-masked row without a label ROW_WISE's logit is −2 + (p % 7 − 3)/10: surest (−2.3) where
        // p % 7 is 0, and the lowest such p is 0.
        Trajectory trajectory = new MaskedSampler(MaskedSampler.CONFIDENCE_FIRST).start(1, 784, CondUNet.NO_CLASS, 0f, PIXELS);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            StepBatch.advance(ROW_WISE, manager, IMAGE, List.of(trajectory));
        }
        float[] tokens = trajectory.values();
        assertThat(tokens[0]).isNotEqualTo((float) MaskedUNet.MASK);
        assertThat(masked(trajectory)).isEqualTo(PIXELS - 1);
    }

    @Test
    void anUnfinishedSampleHasNoImage() {
        Trajectory trajectory = new MaskedSampler(MaskedSampler.RANDOM_ORDER).start(1, 2, 3, 1f, PIXELS);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            StepBatch.advance(ROW_WISE, manager, IMAGE, List.of(trajectory));
        }
        assertThatThrownBy(trajectory::image).isInstanceOf(IllegalStateException.class).hasMessageContaining("still masked");
    }

    @Test
    void refusesMoreStepsThanTokensAndUnknownNames() {
        assertThatThrownBy(() -> new MaskedSampler(MaskedSampler.RANDOM_ORDER).start(1, 785, 1, 1f, PIXELS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("steps must be 1 to 784");
        assertThatThrownBy(() -> new MaskedSampler("ddim")).hasMessageContaining("[masked, masked-confidence]");
    }

    @Test
    void theRealNetworkTakesTokensAndGivesTwoLogitsAPixelInLogicalOrder() {
        try (Denoiser denoiser = Denoiser.initialized(new MaskedUNet(), Device.cpu(), 3);
             NDManager call = denoiser.manager().newSubManager()) {
            float[] tokens = new float[2 * PIXELS];
            for (int p = 0; p < tokens.length; p++) {
                tokens[p] = p % 3;
            }
            NDArray logits = denoiser.predict(MaskedUNet.inputs(call.create(tokens, new Shape(2, 1, 28, 28)),
                    new int[] {4, CondUNet.NO_CLASS}), false);
            assertThat(logits.getShape()).isEqualTo(new Shape(2, 2, 28, 28));
            // toFloatArray must read the channels-last output in N, C, H, W order, as the sampler does
            float[] flat = logits.toFloatArray();
            float[] whiteOfSecond = logits.get("1, 1").toFloatArray();
            for (int p = 0; p < PIXELS; p++) {
                assertThat(flat[3 * PIXELS + p]).isEqualTo(whiteOfSecond[p]);
            }
            // the sampler runs on it, and the same seed gives the same image again
            MaskedSampler sampler = new MaskedSampler(MaskedSampler.RANDOM_ORDER);
            byte[] image = sampler.sample(denoiser, new long[] {5}, new int[] {2}, 2f, 4).get(0);
            assertThat(sampler.sample(denoiser, new long[] {5}, new int[] {2}, 2f, 4).get(0)).isEqualTo(image);
        }
    }

    @Test
    void theMaskedCountIsReadOffTheTokens() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            float[] tokens = new float[2 * PIXELS];
            java.util.Arrays.fill(tokens, 0, 10, MaskedUNet.MASK);
            java.util.Arrays.fill(tokens, 10, 40, 1f);
            java.util.Arrays.fill(tokens, PIXELS, 2 * PIXELS, MaskedUNet.MASK);
            var inputs = MaskedUNet.inputs(manager.create(tokens, new Shape(2, 1, 28, 28)), new int[] {1, 2});
            assertThat(inputs.get(0).getShape()).isEqualTo(new Shape(2, 3, 28, 28));
            // channels black, white, mask: image 0 has 744, 30 and 10 of them, image 1 784 masks
            assertThat(inputs.get(0).sum(new int[] {0, 2, 3}).toFloatArray()).containsExactly(744f, 30f, 794f);
            assertThat(inputs.get(0).get("0, 1, 0, 10:12").toFloatArray()).containsExactly(1f, 1f);
            assertThat(inputs.get(1).toFloatArray()).containsExactly(10f, 784f);
        }
    }

    private static List<byte[]> sample(MaskedSampler sampler, long[] seeds, int[] labels, float scale, int steps) {
        List<Trajectory> trajectories = new ArrayList<>();
        for (int i = 0; i < seeds.length; i++) {
            trajectories.add(sampler.start(seeds[i], steps, labels[i], scale, PIXELS));
        }
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            StepBatch.runToEnd(ROW_WISE, manager, IMAGE, trajectories);
        }
        return StepBatch.images(trajectories);
    }

    private static int masked(Trajectory trajectory) {
        int masked = 0;
        for (float token : trajectory.values()) {
            masked += token == MaskedUNet.MASK ? 1 : 0;
        }
        return masked;
    }

    private static long white(List<byte[]> images) {
        long white = 0;
        for (byte[] image : images) {
            for (byte pixel : image) {
                white += pixel != 0 ? 1 : 0;
            }
        }
        return white;
    }
}
