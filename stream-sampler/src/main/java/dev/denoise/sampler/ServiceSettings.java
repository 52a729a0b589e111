package dev.denoise.sampler;

import dev.denoise.schemas.config.Setting;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The stream-sampler's own settings (the connection settings are in ConnectionSettings), each
 * with its environment variable, flag, default and meaning.
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
        double qualityTolerance) {

    public static final Setting APPLICATION_ID = new Setting("DENOISE_APPLICATION_ID", "--application-id",
            "denoise-stream-sampler", "Kafka Streams application id: the consumer group and the prefix of internal topics.");
    public static final Setting MAX_STEPS = new Setting("DENOISE_MAX_STEPS", "--max-steps", "1000",
            "Largest number of denoising steps a request may ask for.");
    public static final Setting MAX_SEEDS = new Setting("DENOISE_MAX_SEEDS", "--max-seeds", "1024",
            "Largest number of seeds in one request.");
    public static final Setting MAX_BATCH = new Setting("DENOISE_MAX_BATCH", "--max-batch", "64",
            "Most images sampled in one forward pass, across requests.");
    public static final Setting MAX_WAIT_MS = new Setting("DENOISE_MAX_WAIT_MS", "--max-wait-ms", "10",
            "How often the stream thread emits finished images when no request arrives.");
    public static final Setting MAX_LOADED_VERSIONS = new Setting("DENOISE_MAX_LOADED_VERSIONS",
            "--max-loaded-versions", "3", "Model versions kept loaded per model name (the latest always is).");
    public static final Setting NO_MODEL_WAIT_MS = new Setting("DENOISE_NO_MODEL_WAIT_MS", "--no-model-wait-ms",
            "60000", "How long an accepted request waits for its model to be published before it fails.");
    public static final Setting HTTP_PORT = new Setting("DENOISE_HTTP_PORT", "--http-port", "8080",
            "Port of /health, /ready and /metrics; 0 picks a free one.");
    public static final Setting STATE_DIR = new Setting("DENOISE_STATE_DIR", "--state-dir",
            "/tmp/denoise-stream-sampler", "Kafka Streams state directory (pending work, restored from its changelog).");

    public static final Setting QUALITY_TOLERANCE = new Setting("DENOISE_QUALITY_TOLERANCE", "--quality-tolerance",
            "0.1", "How much worse (relative) a new version's published Frechet distance may be than the serving "
            + "version's and still become the latest; a worse one serves pinned requests until promoted.");

    public static final List<Setting> SETTINGS = List.of(APPLICATION_ID, MAX_STEPS, MAX_SEEDS, MAX_BATCH, MAX_WAIT_MS,
            MAX_LOADED_VERSIONS, NO_MODEL_WAIT_MS, HTTP_PORT, STATE_DIR, QUALITY_TOLERANCE);

    public static ServiceSettings resolve(Map<String, String> flags, Map<String, String> env) {
        return new ServiceSettings(
                APPLICATION_ID.resolve(flags, env).orElseThrow(),
                positive(MAX_STEPS, flags, env),
                positive(MAX_SEEDS, flags, env),
                positive(MAX_BATCH, flags, env),
                Duration.ofMillis(positive(MAX_WAIT_MS, flags, env)),
                positive(MAX_LOADED_VERSIONS, flags, env),
                Duration.ofMillis(positive(NO_MODEL_WAIT_MS, flags, env)),
                Integer.parseInt(HTTP_PORT.resolve(flags, env).orElseThrow()),
                STATE_DIR.resolve(flags, env).orElseThrow(),
                nonNegative(QUALITY_TOLERANCE, flags, env));
    }

    public static ServiceSettings defaults() {
        return resolve(Map.of(), Map.of());
    }

    public ServiceSettings withApplicationId(String id) {
        return new ServiceSettings(id, maxSteps, maxSeeds, maxBatch, maxWait, maxLoadedVersions, noModelWait, httpPort,
                stateDir, qualityTolerance);
    }

    public ServiceSettings withStateDir(String dir) {
        return new ServiceSettings(applicationId, maxSteps, maxSeeds, maxBatch, maxWait, maxLoadedVersions, noModelWait,
                httpPort, dir, qualityTolerance);
    }

    public ServiceSettings withHttpPort(int port) {
        return new ServiceSettings(applicationId, maxSteps, maxSeeds, maxBatch, maxWait, maxLoadedVersions, noModelWait,
                port, stateDir, qualityTolerance);
    }

    public ServiceSettings withNoModelWait(Duration wait) {
        return new ServiceSettings(applicationId, maxSteps, maxSeeds, maxBatch, maxWait, maxLoadedVersions, wait,
                httpPort, stateDir, qualityTolerance);
    }

    private static double nonNegative(Setting setting, Map<String, String> flags, Map<String, String> env) {
        String value = setting.resolve(flags, env).orElseThrow();
        try {
            double parsed = Double.parseDouble(value.trim());
            if (!(parsed >= 0) || Double.isInfinite(parsed)) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(setting.envVar() + " / " + setting.flag()
                    + " must be a number >= 0, was \"" + value + "\"");
        }
    }

    private static int positive(Setting setting, Map<String, String> flags, Map<String, String> env) {
        String value = setting.resolve(flags, env).orElseThrow();
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < 1) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(setting.envVar() + " / " + setting.flag()
                    + " must be a positive integer, was \"" + value + "\"");
        }
    }
}
