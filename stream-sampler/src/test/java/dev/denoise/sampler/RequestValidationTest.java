package dev.denoise.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.DistilledUNet;
import dev.denoise.schemas.FailureReason;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The checks against the serving version's architecture: step counts and guidance its sampler takes. */
class RequestValidationTest {

    private static PendingSeed seed(int steps, float guidance) {
        return new PendingSeed("r", 0, 1L, steps, null, "mnist-fast", 0, 0L, 3, guidance, 1, PendingSeed.NO_DEADLINE);
    }

    private static Optional<RequestValidation.Rejection> check(PendingSeed seed) {
        return RequestValidation.check(seed, "mnist-fast", new DistilledUNet());
    }

    @Test
    void aDistilledModelTakesOnlyThePassCountsItWasTrainedFor() {
        for (int passes : DistilledUNet.PASSES) {
            assertThat(check(seed(passes, Float.NaN))).as("%d passes", passes).isEmpty();
        }
        assertThat(check(seed(PendingSeed.DEFAULT_STEPS, Float.NaN))).isEmpty();
        Optional<RequestValidation.Rejection> three = check(seed(3, Float.NaN));
        assertThat(three).isPresent();
        assertThat(three.get().reason()).isEqualTo(FailureReason.INVALID_STEPS);
        assertThat(three.get().message()).contains("[1, 2, 4]").contains("not 3");
    }

    @Test
    void aDistilledModelTakesGuidanceOnlyWithinItsTrainedRange() {
        assertThat(check(seed(1, 0f))).isEmpty();
        assertThat(check(seed(1, DistilledUNet.MAX_GUIDANCE))).isEmpty();
        Optional<RequestValidation.Rejection> tooStrong = check(seed(1, DistilledUNet.MAX_GUIDANCE + 1));
        assertThat(tooStrong).isPresent();
        assertThat(tooStrong.get().reason()).isEqualTo(FailureReason.INVALID_GUIDANCE);
        assertThat(tooStrong.get().message()).contains("1.0 to 3.0");
    }

    @Test
    void otherFamiliesTakeAnyStepCount() {
        PendingSeed seed = new PendingSeed("r", 0, 1L, 3, null, "mnist-cond", 0, 0L, 3, 5f, 1, PendingSeed.NO_DEADLINE);
        assertThat(RequestValidation.check(seed, "mnist-cond", new CondUNet())).isEmpty();
    }
}
