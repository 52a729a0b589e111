package dev.denoise.sampler;

import static dev.denoise.schemas.config.Setting.Validator.atLeast;
import static dev.denoise.schemas.config.Setting.Validator.between;

import dev.denoise.schemas.config.Setting;
import dev.denoise.schemas.config.Setting.Type;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The stream-sampler's own settings (the connection settings are in ConnectionSettings), each
 * defined once with its environment variable, flag, type, default, allowed values and meaning.
 */
public record ServiceSettings(
        String applicationId,
        int maxSteps,
        int maxSeeds,
        int maxBatch,
        Duration maxWait,
        int maxLoadedVersions,
        Duration noModelWait,
        int httpPort,
        String stateDir,
        double qualityTolerance,
        String weightsCache,
        Duration weightsFetchTimeout) {

    public static final Setting<String> APPLICATION_ID = Setting.of("DENOISE_APPLICATION_ID", "--application-id",
            Type.STRING, "denoise-stream-sampler",
            "Kafka Streams application id: the consumer group and the prefix of internal topics.");
    public static final Setting<Integer> MAX_STEPS = Setting.of("DENOISE_MAX_STEPS", "--max-steps", Type.INT, 1000,
            atLeast(1), "Largest number of denoising steps a request may ask for.");
    public static final Setting<Integer> MAX_SEEDS = Setting.of("DENOISE_MAX_SEEDS", "--max-seeds", Type.INT, 1024,
            atLeast(1), "Largest number of seeds in one request.");
    public static final Setting<Integer> MAX_BATCH = Setting.of("DENOISE_MAX_BATCH", "--max-batch", Type.INT, 64,
            atLeast(1), "Most images sampled in one forward pass, across requests.");
    public static final Setting<Duration> MAX_WAIT_MS = Setting.of("DENOISE_MAX_WAIT_MS", "--max-wait-ms",
            Type.DURATION_MS, Duration.ofMillis(10), atLeast(Duration.ofMillis(1)),
            "How often the stream thread emits finished images when no request arrives.");
    public static final Setting<Integer> MAX_LOADED_VERSIONS = Setting.of("DENOISE_MAX_LOADED_VERSIONS",
            "--max-loaded-versions", Type.INT, 3, atLeast(1),
            "Model versions kept loaded per model name (the latest always is).");
    public static final Setting<Duration> NO_MODEL_WAIT_MS = Setting.of("DENOISE_NO_MODEL_WAIT_MS", "--no-model-wait-ms",
            Type.DURATION_MS, Duration.ofMillis(60000), atLeast(Duration.ofMillis(1)),
            "How long an accepted request waits for its model to be published before it fails.");
    public static final Setting<Integer> HTTP_PORT = Setting.of("DENOISE_HTTP_PORT", "--http-port", Type.INT, 8080,
            between(0, 65535), "Port of /health, /ready and /metrics; 0 picks a free one.");
    public static final Setting<String> STATE_DIR = Setting.of("DENOISE_STATE_DIR", "--state-dir", Type.STRING,
            ".denoise/sampler-state", "Kafka Streams state directory (pending work, restored from its changelog); "
                    + "relative to the working directory. Not the OS temp directory, which the OS may clear.");
    public static final Setting<Double> QUALITY_TOLERANCE = Setting.of("DENOISE_QUALITY_TOLERANCE", "--quality-tolerance",
            Type.DOUBLE, 0.1, atLeast(0.0), "How much worse (relative) a new version's published Frechet distance may be "
            + "than the serving version's and still become the latest; a worse one serves pinned requests until promoted.");

    public static final Setting<String> WEIGHTS_CACHE = Setting.of("DENOISE_WEIGHTS_CACHE", "--weights-cache", Type.STRING,
            ".denoise/weights-cache", "Where weights published by reference (a URI instead of the bytes) are kept once "
                    + "fetched and checked, one file per SHA-256; relative to the working directory.");
    public static final Setting<Duration> WEIGHTS_FETCH_TIMEOUT_MS = Setting.of("DENOISE_WEIGHTS_FETCH_TIMEOUT_MS",
            "--weights-fetch-timeout-ms", Type.DURATION_MS, Duration.ofMillis(60000), atLeast(Duration.ofMillis(1)),
            "How long fetching weights published by reference may take before the version is refused.");

    public static final List<Setting<?>> SETTINGS = List.of(APPLICATION_ID, MAX_STEPS, MAX_SEEDS, MAX_BATCH, MAX_WAIT_MS,
            MAX_LOADED_VERSIONS, NO_MODEL_WAIT_MS, HTTP_PORT, STATE_DIR, QUALITY_TOLERANCE, WEIGHTS_CACHE,
            WEIGHTS_FETCH_TIMEOUT_MS);

    /**
     * Every setting from its flag, else the environment, else its default; a value not allowed
     * throws, naming the setting, the value and what is allowed.
     *
     * @param flags values by flag name ({@code HTTP_PORT.flag()}): a command line's, or a caller's
     *     overrides such as {@code Map.of(HTTP_PORT.flag(), "0")}
     */
    public static ServiceSettings resolve(Map<String, String> flags, Map<String, String> env) {
        return new ServiceSettings(
                APPLICATION_ID.value(flags, env),
                MAX_STEPS.value(flags, env),
                MAX_SEEDS.value(flags, env),
                MAX_BATCH.value(flags, env),
                MAX_WAIT_MS.value(flags, env),
                MAX_LOADED_VERSIONS.value(flags, env),
                NO_MODEL_WAIT_MS.value(flags, env),
                HTTP_PORT.value(flags, env),
                STATE_DIR.value(flags, env),
                QUALITY_TOLERANCE.value(flags, env),
                WEIGHTS_CACHE.value(flags, env),
                WEIGHTS_FETCH_TIMEOUT_MS.value(flags, env));
    }

    public static ServiceSettings defaults() {
        return resolve(Map.of(), Map.of());
    }
}
