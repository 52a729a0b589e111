package dev.denoise.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FrechetDistanceTest {

    @Test
    void jacobiFindsTheEigenvaluesOfASymmetricMatrix() {
        // eigenvalues of [[2,1,0],[1,2,0],[0,0,5]] are 1, 3, 5
        double[] values = FrechetDistance.Jacobi.eigen(new double[][] {{2, 1, 0}, {1, 2, 0}, {0, 0, 5}}).values();
        java.util.Arrays.sort(values);
        assertThat(values[0]).isCloseTo(1, within(1e-12));
        assertThat(values[1]).isCloseTo(3, within(1e-12));
        assertThat(values[2]).isCloseTo(5, within(1e-12));
    }

    @Test
    void matchesTheClosedFormForGaussiansWithDiagonalCovariances() {
        // For diagonal covariances the distance is |μ₁−μ₂|² + Σ (s₁ − s₂)², s the standard deviations.
        double[][] a = gaussian(20_000, new double[] {0, 0}, new double[] {1, 2}, 1);
        double[][] b = gaussian(20_000, new double[] {3, 0}, new double[] {2, 2}, 2);
        double expected = 9 + 1 + 0;
        assertThat(FrechetDistance.between(a, b)).isCloseTo(expected, within(0.3));
        assertThat(FrechetDistance.between(a, a)).isCloseTo(0, within(1e-6));
    }

    @Test
    void theTraceOfTheRootOfAProductOfCommutingMatricesIsTheSumOfRootsOfProducts() {
        double[][] a = {{4, 0}, {0, 9}};
        double[][] b = {{1, 0}, {0, 4}};
        assertThat(FrechetDistance.traceOfSqrtProduct(a, b)).isCloseTo(2 + 6, within(1e-9));
    }

    private static double[][] gaussian(int n, double[] mean, double[] spread, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] rows = new double[n][mean.length];
        for (double[] row : rows) {
            for (int j = 0; j < mean.length; j++) {
                double u = 1 - random.nextDouble();
                double v = random.nextDouble();
                row[j] = mean[j] + spread[j] * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
            }
        }
        return rows;
    }
}
