package dev.denoise.diffusion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A noise schedule in the vocabulary of diffusers' {@code scheduler_config.json}: what a model
 * trained with diffusers was trained on, so that a sampler here walks the same schedule. Keys this
 * project does not use are ignored with a warning; a value it cannot honour is refused by name,
 * as is any setting of the keys that would change the schedule or the estimates (trained betas,
 * zero-SNR rescaling, thresholding, learned variance, Karras and other sigma spacings). Missing
 * keys take diffusers' defaults for {@code DDIMScheduler}.
 *
 * @param clipSample      whether DDIM and DDPM clip their clean-image estimate to ±{@code clipSampleRange}
 * @param setAlphaToOne   whether DDIM's step past the first timestep ends at ᾱ = 1 (else at ᾱ of timestep 0)
 * @param stepsOffset     added to every timestep of the {@code leading} spacing
 */
public record SchedulerConfig(int numTrainTimesteps, BetaSchedule betaSchedule, double betaStart, double betaEnd,
                              PredictionType predictionType, boolean clipSample, double clipSampleRange,
                              boolean setAlphaToOne, int stepsOffset, TimestepSpacing timestepSpacing) {

    /** How β grows over the training timesteps. */
    public enum BetaSchedule {
        LINEAR("linear"), SCALED_LINEAR("scaled_linear"), SQUAREDCOS_CAP_V2("squaredcos_cap_v2");

        final String key;

        BetaSchedule(String key) {
            this.key = key;
        }
    }

    /** What the network predicts: the noise, the clean image, or v = α·ε − σ·x₀. */
    public enum PredictionType {
        EPSILON("epsilon"), SAMPLE("sample"), V_PREDICTION("v_prediction");

        final String key;

        PredictionType(String key) {
            this.key = key;
        }
    }

    /** Which training timesteps a sampler of fewer steps visits (Lin et al. 2024, table 2). */
    public enum TimestepSpacing {
        LEADING("leading"), TRAILING("trailing"), LINSPACE("linspace");

        final String key;

        TimestepSpacing(String key) {
            this.key = key;
        }
    }

    /** The keys read, in diffusers' spelling; the prefix under which they travel as hyper-parameters is {@link #PREFIX}. */
    public static final List<String> KEYS = List.of("num_train_timesteps", "beta_schedule", "beta_start", "beta_end",
            "prediction_type", "clip_sample", "clip_sample_range", "set_alpha_to_one", "steps_offset", "timestep_spacing");
    /** Keys diffusers writes that say nothing about the schedule, accepted without a warning. */
    private static final Set<String> BOOKKEEPING = Set.of("_class_name", "_diffusers_version");
    /**
     * Keys that would change the schedule or the estimates if set, accepted only at the value that
     * leaves them alone (diffusers' default; a null value is skipped as unset): sampling with any
     * other would silently walk another schedule than the model was trained on.
     */
    private static final Map<String, String> ONLY_AT_DEFAULT = Map.of(
            "rescale_betas_zero_snr", "false",
            "thresholding", "false",
            "variance_type", "fixed_small",
            "use_karras_sigmas", "false",
            "use_exponential_sigmas", "false",
            "use_beta_sigmas", "false");
    /** Prefix of these keys among a model version's hyper-parameters. */
    public static final String PREFIX = "scheduler.";

    private static final ObjectMapper JSON = new ObjectMapper();

    public SchedulerConfig {
        if (numTrainTimesteps < 2) {
            throw new IllegalArgumentException("num_train_timesteps must be at least 2, not " + numTrainTimesteps);
        }
        if (!(betaStart > 0 && betaEnd > 0 && betaStart < 1 && betaEnd < 1)) {
            throw new IllegalArgumentException("beta_start and beta_end must be in (0, 1), not " + betaStart + " and " + betaEnd);
        }
        if (!(clipSampleRange > 0)) {
            throw new IllegalArgumentException("clip_sample_range must be > 0, not " + clipSampleRange);
        }
        if (stepsOffset < 0 || stepsOffset >= numTrainTimesteps) {
            throw new IllegalArgumentException("steps_offset must be 0.." + (numTrainTimesteps - 1) + ", not " + stepsOffset);
        }
    }

    /** Reads a {@code scheduler_config.json}; {@code warnings} hears of every key that is ignored. */
    public static SchedulerConfig parseJson(String json, Consumer<String> warnings) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON object: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("a scheduler config is a JSON object");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = field.getValue();
            if (value.isNull()) {
                continue; // diffusers writes null for "not set", e.g. trained_betas
            }
            values.put(field.getKey(), value.isValueNode() ? value.asText() : value.toString());
        }
        return of(values, warnings);
    }

    /**
     * From keys in diffusers' spelling (as read from JSON, or {@link #toHyperParameters} without
     * the prefix): known keys are checked, others reported to {@code warnings} and ignored.
     */
    public static SchedulerConfig of(Map<String, String> values, Consumer<String> warnings) {
        List<String> ignored = new ArrayList<>();
        for (Map.Entry<String, String> entry : values.entrySet()) {
            String key = entry.getKey();
            String required = ONLY_AT_DEFAULT.get(key);
            if (required != null && !required.equals(entry.getValue())) {
                throw new IllegalArgumentException(key + " '" + entry.getValue() + "' is not supported; supported: [" + required + "]");
            }
            if (key.equals("trained_betas")) {
                throw new IllegalArgumentException("trained_betas is not supported; give beta_schedule, beta_start and beta_end");
            }
            if (!KEYS.contains(key) && !BOOKKEEPING.contains(key) && required == null) {
                ignored.add(key);
            }
        }
        if (!ignored.isEmpty()) {
            warnings.accept("scheduler config keys ignored (not used by the samplers here): " + ignored);
        }
        return new SchedulerConfig(
                integer(values, "num_train_timesteps", 1000),
                choice(values, "beta_schedule", BetaSchedule.LINEAR, BetaSchedule.values()),
                decimal(values, "beta_start", 0.0001),
                decimal(values, "beta_end", 0.02),
                choice(values, "prediction_type", PredictionType.EPSILON, PredictionType.values()),
                bool(values, "clip_sample", true),
                decimal(values, "clip_sample_range", 1.0),
                bool(values, "set_alpha_to_one", true),
                integer(values, "steps_offset", 0),
                choice(values, "timestep_spacing", TimestepSpacing.LEADING, TimestepSpacing.values()));
    }

    /** The config among a version's hyper-parameters: every key, prefixed by {@link #PREFIX}. */
    public Map<String, String> toHyperParameters() {
        Map<String, String> values = new TreeMap<>();
        values.put("num_train_timesteps", String.valueOf(numTrainTimesteps));
        values.put("beta_schedule", betaSchedule.key);
        values.put("beta_start", String.valueOf(betaStart));
        values.put("beta_end", String.valueOf(betaEnd));
        values.put("prediction_type", predictionType.key);
        values.put("clip_sample", String.valueOf(clipSample));
        values.put("clip_sample_range", String.valueOf(clipSampleRange));
        values.put("set_alpha_to_one", String.valueOf(setAlphaToOne));
        values.put("steps_offset", String.valueOf(stepsOffset));
        values.put("timestep_spacing", timestepSpacing.key);
        Map<String, String> prefixed = new TreeMap<>();
        values.forEach((key, value) -> prefixed.put(PREFIX + key, value));
        return prefixed;
    }

    private static int integer(Map<String, String> values, String key, int fallback) {
        String value = values.get(key);
        try {
            return value == null ? fallback : Integer.parseInt(value.endsWith(".0") ? value.substring(0, value.length() - 2) : value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, not '" + value + "'");
        }
    }

    private static double decimal(Map<String, String> values, String key, double fallback) {
        String value = values.get(key);
        try {
            return value == null ? fallback : Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, not '" + value + "'");
        }
    }

    private static boolean bool(Map<String, String> values, String key, boolean fallback) {
        String value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException(key + " must be true or false, not '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }

    private static <E extends Enum<E>> E choice(Map<String, String> values, String key, E fallback, E[] choices) {
        String value = values.get(key);
        if (value == null) {
            return fallback;
        }
        List<String> supported = new ArrayList<>();
        for (E choice : choices) {
            String name = keyOf(choice);
            if (name.equals(value)) {
                return choice;
            }
            supported.add(name);
        }
        throw new IllegalArgumentException(key + " '" + value + "' is not supported; supported: " + supported);
    }

    private static String keyOf(Enum<?> choice) {
        if (choice instanceof BetaSchedule b) {
            return b.key;
        }
        if (choice instanceof PredictionType p) {
            return p.key;
        }
        return ((TimestepSpacing) choice).key;
    }
}
