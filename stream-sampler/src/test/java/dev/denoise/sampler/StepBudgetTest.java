package dev.denoise.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When a seed of a request that allows fewer steps starts with fewer, on a clock the test sets:
 * 10 ms a step, 4 slots held, 8 seeds waiting behind (two waves of trajectories before the last starts).
 */
class StepBudgetTest {
    private static final long NOW = 1_000_000L;
    private static final double MS_PER_STEP = 10;
    private static final List<Integer> ANY = List.of();

    /** At 8 steps the last seed behind starts 2 waves × 8 steps × 10 ms = 160 ms from now. */
    private static int steps(int requested, int minSteps, List<Integer> counts, long deadlineInMs) {
        return StepBudget.steps(requested, minSteps, counts, NOW, NOW + deadlineInMs, 8, 4, MS_PER_STEP);
    }

    @Test
    void aRequestThatAllowsNoFewerStepsKeepsItsSteps() {
        assertThat(steps(8, 0, ANY, 20)).isEqualTo(8);
    }

    @Test
    void aDeadlineThatHoldsAtTheRequestedStepsKeepsThem() {
        assertThat(steps(8, 1, ANY, 161)).isEqualTo(8);
    }

    @Test
    void aDeadlineThatWouldBeMissedGetsTheMostStepsThatStillMakeIt() {
        assertThat(steps(8, 1, ANY, 160)).isEqualTo(7); // 2 × 7 × 10 = 140 < 160
        assertThat(steps(8, 1, ANY, 81)).isEqualTo(4);  // 2 × 4 × 10 = 80
        assertThat(steps(8, 1, ANY, 21)).isEqualTo(1);
    }

    @Test
    void neverBelowMinStepsEvenWhenNoCountMakesIt() {
        assertThat(steps(8, 3, ANY, 21)).isEqualTo(3);
        assertThat(steps(8, 3, ANY, 1)).isEqualTo(3);
    }

    @Test
    void onlyCountsTheSamplerTakes() {
        List<Integer> distilled = List.of(1, 2, 4);
        assertThat(steps(4, 1, distilled, 79)).isEqualTo(2); // 3 would make it too, but the sampler does not take 3
        assertThat(steps(4, 1, distilled, 39)).isEqualTo(1);
        assertThat(steps(4, 2, distilled, 39)).isEqualTo(2); // none makes it; the fewest allowed
    }

    @Test
    void theLastSeedOfARequestOrOneWithoutDeadlineKeepsItsSteps() {
        assertThat(StepBudget.steps(8, 1, ANY, NOW, NOW + 1, 0, 4, MS_PER_STEP)).isEqualTo(8);
        assertThat(StepBudget.steps(8, 1, ANY, NOW, PendingSeed.NO_DEADLINE, 100, 4, MS_PER_STEP)).isEqualTo(8);
    }

    @Test
    void moreSlotsMeanFewerWavesAndLessDegrading() {
        // 8 waiting behind with 8 slots: one wave of 8 × 10 ms.
        assertThat(StepBudget.steps(8, 1, ANY, NOW, NOW + 81, 8, 8, MS_PER_STEP)).isEqualTo(8);
        assertThat(StepBudget.steps(8, 1, ANY, NOW, NOW + 81, 8, 4, MS_PER_STEP)).isEqualTo(4);
    }
}
