package dev.denoise.client.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code load-test --mix}: its syntax, its checks, and the seeded draw of a class per request. */
class MixTest {

    @Test
    void parsesClassesInOrder() {
        Mix mix = Mix.parse("8:4:0.8, 40:256:0.2");

        assertThat(mix.classes()).containsExactly(new Mix.RequestClass(8, 4, 0.8), new Mix.RequestClass(40, 256, 0.2));
        assertThat(mix.classes().get(1).label()).isEqualTo("40 steps, 256 seeds");
    }

    @Test
    void sharesMayMissOneByRoundingOnly() {
        assertThat(Mix.parse("8:1:0.3333333,20:1:0.3333333,40:1:0.3333334").classes()).hasSize(3);

        assertThatThrownBy(() -> Mix.parse("8:4:0.8,40:256:0.1")).hasMessageContaining("add up to 0.9");
        assertThatThrownBy(() -> Mix.parse("8:4:0.8,40:256:0.3")).hasMessageContaining("add up to 1.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "8:4", "8:4:1:2", "eight:4:1", "8:4.5:1", "0:4:1", "8:-1:1", "8:4:x", "8:4:0,40:4:1",
        "8:4:1,", "8:4:1.5,40:4:-0.5"})
    void refusesWhatIsNotStepsSeedsShare(String text) {
        assertThatThrownBy(() -> Mix.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'");
    }

    @Test
    void drawsEachClassForItsShareOfRequests() {
        Mix mix = Mix.parse("8:4:0.7,20:16:0.2,40:256:0.1");
        SplittableRandom random = new SplittableRandom(1);
        int[] counts = new int[3];
        for (int i = 0; i < 10_000; i++) {
            counts[mix.draw(random)]++;
        }

        // Binomial standard deviations at 10,000 draws are under 0.005; 0.02 leaves room for any seed.
        assertThat(counts[0] / 10_000.0).isCloseTo(0.7, within(0.02));
        assertThat(counts[1] / 10_000.0).isCloseTo(0.2, within(0.02));
        assertThat(counts[2] / 10_000.0).isCloseTo(0.1, within(0.02));
    }

    @Test
    void theSameSeedDrawsTheSameSequence() {
        Mix mix = Mix.parse("8:4:0.5,40:256:0.5");

        assertThat(draws(mix, 1)).isEqualTo(draws(mix, 1));
        assertThat(draws(mix, 1)).isNotEqualTo(draws(mix, 2));
    }

    @Test
    void aSingleClassIsAlwaysDrawn() {
        Mix mix = Mix.single(8, 16);

        assertThat(draws(mix, 7)).containsOnly(0);
    }

    private static int[] draws(Mix mix, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return IntStream.range(0, 1000).map(i -> mix.draw(random)).toArray();
    }
}
