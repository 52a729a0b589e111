package dev.denoise.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.denoise.diffusion.SchedulerConfig.BetaSchedule;
import dev.denoise.diffusion.SchedulerConfig.PredictionType;
import dev.denoise.diffusion.SchedulerConfig.TimestepSpacing;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** diffusers' scheduler_config.json as users have it: what is read, what is ignored aloud, what is refused by name. */
class SchedulerConfigTest {

    /** A Stable Diffusion style config as diffusers writes it, with keys the samplers here do not use. */
    private static final String STABLE_DIFFUSION = """
            {"_class_name": "DDIMScheduler", "_diffusers_version": "0.30.0", "beta_end": 0.012,
             "beta_schedule": "scaled_linear", "beta_start": 0.00085, "clip_sample": false,
             "num_train_timesteps": 1000, "prediction_type": "epsilon", "set_alpha_to_one": false,
             "steps_offset": 1, "timestep_spacing": "leading", "trained_betas": null,
             "thresholding": false, "dynamic_thresholding_ratio": 0.995, "sample_max_value": 1.0,
             "rescale_betas_zero_snr": false}""";

    @Test
    void readsDiffusersOwnFileAndWarnsOfTheKeysItIgnores() {
        List<String> warnings = new ArrayList<>();
        SchedulerConfig config = SchedulerConfig.parseJson(STABLE_DIFFUSION, warnings::add);

        assertThat(config).isEqualTo(new SchedulerConfig(1000, BetaSchedule.SCALED_LINEAR, 0.00085, 0.012,
                PredictionType.EPSILON, false, 1.0, false, 1, TimestepSpacing.LEADING));
        assertThat(warnings).singleElement().asString()
                .contains("dynamic_thresholding_ratio").contains("sample_max_value")
                .doesNotContain("_class_name").doesNotContain("trained_betas").doesNotContain("rescale_betas_zero_snr");
    }

    @Test
    void missingKeysTakeDiffusersDefaults() {
        List<String> warnings = new ArrayList<>();
        assertThat(SchedulerConfig.parseJson("{}", warnings::add)).isEqualTo(new SchedulerConfig(1000, BetaSchedule.LINEAR,
                0.0001, 0.02, PredictionType.EPSILON, true, 1.0, true, 0, TimestepSpacing.LEADING));
        assertThat(warnings).isEmpty();
    }

    @Test
    void anUnsupportedValueIsRefusedWithItsKeyAndTheSupportedOnes() {
        assertThatThrownBy(() -> SchedulerConfig.parseJson("{\"beta_schedule\": \"sigmoid\"}", w -> { }))
                .hasMessage("beta_schedule 'sigmoid' is not supported; supported: [linear, scaled_linear, squaredcos_cap_v2]");
        assertThatThrownBy(() -> SchedulerConfig.parseJson("{\"prediction_type\": \"flow\"}", w -> { }))
                .hasMessageContaining("prediction_type 'flow' is not supported; supported: [epsilon, sample, v_prediction]");
        assertThatThrownBy(() -> SchedulerConfig.parseJson("{\"timestep_spacing\": \"karras\"}", w -> { }))
                .hasMessageContaining("timestep_spacing 'karras'");
        assertThatThrownBy(() -> SchedulerConfig.parseJson("{\"num_train_timesteps\": \"many\"}", w -> { }))
                .hasMessage("num_train_timesteps must be an integer, not 'many'");
        assertThatThrownBy(() -> SchedulerConfig.parseJson("{\"clip_sample\": \"yes\"}", w -> { }))
                .hasMessage("clip_sample must be true or false, not 'yes'");
        assertThatThrownBy(() -> SchedulerConfig.parseJson("[1, 2]", w -> { }))
                .hasMessage("a scheduler config is a JSON object");
        assertThatThrownBy(() -> SchedulerConfig.parseJson("{\"beta_end\": 1.5}", w -> { }))
                .hasMessageContaining("beta_start and beta_end must be in (0, 1)");
    }

    @Test
    void settingsThatWouldChangeTheScheduleAreRefusedNotIgnored() {
        assertThatThrownBy(() -> SchedulerConfig.parseJson("{\"thresholding\": true}", w -> { }))
                .hasMessage("thresholding 'true' is not supported; supported: [false]");
        assertThatThrownBy(() -> SchedulerConfig.parseJson("{\"rescale_betas_zero_snr\": true}", w -> { }))
                .hasMessageContaining("rescale_betas_zero_snr 'true' is not supported");
        assertThatThrownBy(() -> SchedulerConfig.parseJson("{\"use_karras_sigmas\": true}", w -> { }))
                .hasMessageContaining("use_karras_sigmas 'true'");
        assertThatThrownBy(() -> SchedulerConfig.parseJson("{\"variance_type\": \"learned_range\"}", w -> { }))
                .hasMessage("variance_type 'learned_range' is not supported; supported: [fixed_small]");
        assertThatThrownBy(() -> SchedulerConfig.parseJson("{\"trained_betas\": [0.1, 0.2]}", w -> { }))
                .hasMessageContaining("trained_betas is not supported");
    }

    @Test
    void travelsAsPrefixedHyperParametersAndComesBackTheSame() {
        SchedulerConfig config = SchedulerConfig.parseJson(STABLE_DIFFUSION, w -> { });
        Map<String, String> unprefixed = new HashMap<>();
        config.toHyperParameters().forEach((key, value) -> {
            assertThat(key).startsWith(SchedulerConfig.PREFIX);
            unprefixed.put(key.substring(SchedulerConfig.PREFIX.length()), value);
        });
        assertThat(unprefixed.keySet()).containsExactlyInAnyOrderElementsOf(SchedulerConfig.KEYS);
        List<String> warnings = new ArrayList<>();
        assertThat(SchedulerConfig.of(unprefixed, warnings::add)).isEqualTo(config);
        assertThat(warnings).isEmpty();
    }
}
