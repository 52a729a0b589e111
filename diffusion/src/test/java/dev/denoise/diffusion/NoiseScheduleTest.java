package dev.denoise.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class NoiseScheduleTest {
    private final NoiseSchedule schedule = NoiseSchedule.cosine(1000);

    @Test
    void alphaBarFallsStrictlyFromNearOneToNearZeroAndCleanIsOne() {
        assertThat(schedule.alphaBar(-1)).isEqualTo(1.0);
        assertThat(schedule.alphaBar(0)).isBetween(0.999, 1.0);
        assertThat(schedule.alphaBar(999)).isBetween(0.0, 1e-4);
        for (int t = 0; t < 999; t++) {
            assertThat(schedule.alphaBar(t + 1)).as("t=%d", t).isLessThan(schedule.alphaBar(t));
        }
    }

    @Test
    void followsTheCosineFormulaWhereNoBetaIsClipped() {
        // ᾱ_t = f(t+1)/f(0), f(t) = cos²((t/T + s)/(1 + s)·π/2), s = 0.008
        double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
        for (int t : new int[] {0, 99, 499, 899}) {
            double f = Math.pow(Math.cos(((t + 1) / 1000.0 + 0.008) / 1.008 * Math.PI / 2), 2);
            assertThat(schedule.alphaBar(t)).as("t=%d", t).isCloseTo(f / f0, within(1e-9));
        }
    }

    @Test
    void timestepsAreTrailingEvenlySpacedAndNoisiestFirst() {
        assertThat(schedule.timesteps(1)).containsExactly(999);
        assertThat(schedule.timesteps(4)).containsExactly(999, 749, 499, 249);
        assertThat(schedule.timesteps(8)).containsExactly(999, 874, 749, 624, 499, 374, 249, 124);
        int[] all = schedule.timesteps(1000);
        for (int i = 0; i < 1000; i++) {
            assertThat(all[i]).isEqualTo(999 - i);
        }
        assertThatThrownBy(() -> schedule.timesteps(0)).hasMessageContaining("1..1000");
        assertThatThrownBy(() -> schedule.timesteps(1001)).hasMessageContaining("1..1000");
    }
}
