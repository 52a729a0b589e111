package dev.denoise.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The timesteps and ᾱ diffusers' schedulers derive from a config. The expected timesteps are
 * what diffusers' set_timesteps gives for 1,000 training steps (its documentation's examples, and
 * the parity fixtures' recorded lists); ᾱ is checked against its closed forms.
 */
class DiffusersScheduleTest {

    private static DiffusersSchedule schedule(String spacing, int offset) {
        return new DiffusersSchedule(SchedulerConfig.of(Map.of("timestep_spacing", spacing, "steps_offset",
                String.valueOf(offset)), w -> { }));
    }

    @Test
    void ddimAndDdpmTimestepsFollowTheSpacing() {
        assertThat(schedule("leading", 1).timesteps(10)).containsExactly(901, 801, 701, 601, 501, 401, 301, 201, 101, 1);
        assertThat(schedule("trailing", 0).timesteps(10)).containsExactly(999, 899, 799, 699, 599, 499, 399, 299, 199, 99);
        assertThat(schedule("linspace", 0).timesteps(10)).containsExactly(999, 888, 777, 666, 555, 444, 333, 222, 111, 0);
        // 1000/16 = 62.5: numpy rounds the halves to even (937.5 → 938, 812.5 → 812), then 1 comes off.
        assertThat(schedule("trailing", 0).timesteps(16)).startsWith(999, 937, 874, 811, 749);
    }

    @Test
    void dpmSolverDividesTheScheduleIntoOneMorePartAndDropsTheLast() {
        assertThat(schedule("linspace", 0).dpmSolverTimesteps(10)).containsExactly(999, 899, 799, 699, 599, 500, 400, 300, 200, 100);
        assertThat(schedule("leading", 1).dpmSolverTimesteps(10)).containsExactly(901, 811, 721, 631, 541, 451, 361, 271, 181, 91);
        assertThat(schedule("trailing", 0).dpmSolverTimesteps(10)).containsExactly(999, 899, 799, 699, 599, 499, 399, 299, 199, 99);
    }

    /**
     * ᾱ for every timestep of the three beta schedules, as PyTorch computes diffusers' tables
     * (tools/torchscript/make_schedule_fixture.py), within a few float32 roundings of each value:
     * PyTorch's vectorised linspace rounds some β a unit in the last place away from a plain
     * float32 linspace. A product kept in float32 instead of double drifts by hundreds of units.
     */
    @Test
    void alphaBarIsWhatPyTorchComputesForDiffusers() throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode tables = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(TorchScriptModelTest.resource("alphas_cumprod.json"));
        for (String name : List.of("linear", "scaled_linear", "squaredcos_cap_v2")) {
            Map<String, String> config = new java.util.HashMap<>();
            tables.get(name).get("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
            DiffusersSchedule schedule = new DiffusersSchedule(SchedulerConfig.of(config, w -> { }));
            com.fasterxml.jackson.databind.JsonNode expected = tables.get(name).get("alphas_cumprod");
            assertThat(schedule.length()).isEqualTo(expected.size());
            for (int t = 0; t < expected.size(); t++) {
                float value = (float) expected.get(t).asDouble();
                assertThat((float) schedule.alphaBar(t)).as("%s ᾱ at %d", name, t)
                        .isCloseTo(value, within(4 * Math.ulp(value)));
            }
        }
    }

    @Test
    void alphaBarIsTheProductOfOneMinusBeta() {
        DiffusersSchedule linear = schedule("leading", 0);
        assertThat(linear.alphaBar(0)).isCloseTo(1 - 0.0001, within(1e-7));
        assertThat(linear.alphaBar(1)).isCloseTo((1 - 0.0001) * (1 - (0.0001 + 0.0199 / 999)), within(1e-7));
        DiffusersSchedule cosine = new DiffusersSchedule(SchedulerConfig.of(Map.of("beta_schedule", "squaredcos_cap_v2"), w -> { }));
        double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
        double f500 = Math.pow(Math.cos((0.5 + 0.008) / 1.008 * Math.PI / 2), 2);
        assertThat(cosine.alphaBar(499)).isCloseTo(f500 / f0, within(1e-5));
        assertThat(cosine.sigma(499)).isCloseTo(Math.sqrt((1 - cosine.alphaBar(499)) / cosine.alphaBar(499)), within(1e-12));
    }

    @Test
    void aStepCountOrOffsetBeyondTheScheduleIsRefused() {
        assertThatThrownBy(() -> schedule("leading", 0).timesteps(1001)).hasMessageContaining("steps must be 1..1000");
        assertThatThrownBy(() -> schedule("leading", 1).timesteps(1000)).hasMessageContaining("reaches timestep 1000");
    }
}
