package dev.denoise.trainer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

class SampleQualityTest {

    @Test
    void confidenceAndClassEntropy() {
        float[][] probabilities = new float[10][10];
        for (int i = 0; i < 10; i++) {
            probabilities[i][i] = 0.8f;
            probabilities[i][(i + 1) % 10] = 0.2f;
        }
        SampleQuality allDigits = SampleQuality.of(probabilities);
        assertThat(allDigits.meanConfidence()).isCloseTo(0.8, offset(1e-6));
        assertThat(allDigits.classEntropyBits()).isCloseTo(Math.log(10) / Math.log(2), offset(1e-9));

        for (float[] p : probabilities) {
            java.util.Arrays.fill(p, 0f);
            p[3] = 1f;
        }
        assertThat(SampleQuality.of(probabilities).classEntropyBits()).isZero();
    }
}
