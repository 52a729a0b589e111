package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

class CorruptionTest {

    @Test
    void amountZeroKeepsTheImageAndAmountOneGivesTheNoise() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] clean = UniformNoise.image(1, 2 * 784);
            float[] noise = UniformNoise.image(2, 2 * 784);
            NDArray x = manager.create(clean, new Shape(2, 1, 28, 28));
            NDArray n = manager.create(noise, new Shape(2, 1, 28, 28));
            NDArray a = manager.create(new float[] {0f, 1f}, new Shape(2, 1, 1, 1));
            float[] out = Corruption.apply(x, a, n).toFloatArray();
            for (int p = 0; p < 784; p++) {
                assertThat(out[p]).isEqualTo(clean[p]);
                assertThat(out[784 + p]).isEqualTo(noise[784 + p]);
            }
        }
    }

    @Test
    void mixesLinearlyInBetween() {
        assertThat(Corruption.apply(1f, 0.25f, 0f)).isCloseTo(0.75f, offset(1e-7f));
        assertThat(Corruption.apply(0.2f, 0.5f, 0.6f)).isCloseTo(0.4f, offset(1e-7f));
    }

    @Test
    void noiseIsInTheUnitIntervalAndRepeatsPerSeed() {
        float[] a = UniformNoise.image(9, 10_000);
        assertThat(UniformNoise.image(9, 10_000)).containsExactly(a);
        double sum = 0;
        for (float v : a) {
            assertThat(v).isGreaterThanOrEqualTo(0f).isLessThan(1f);
            sum += v;
        }
        assertThat(sum / a.length).isCloseTo(0.5, offset(0.02));
    }
}
