package dev.denoise.cli;

import dev.denoise.diffusion.ComputeDevice;
import dev.denoise.sampler.SamplerSettings;
import dev.denoise.sampler.StreamSamplerMain;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code denoise serve}: runs the stream-sampler until Ctrl-C or SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the stream-sampler: requests in, images out, model versions hot-swapped. Stops on Ctrl-C/SIGTERM.")
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Option(names = "--application-id", description = "Streams application id (env DENOISE_APPLICATION_ID).")
    String applicationId;
    @Option(names = "--max-steps", description = "Most steps a request may ask for (env DENOISE_MAX_STEPS, default 1000).")
    String maxSteps;
    @Option(names = "--max-seeds", description = "Most seeds per request (env DENOISE_MAX_SEEDS, default 1024).")
    String maxSeeds;
    @Option(names = "--max-batch", description = "Most images per forward pass (env DENOISE_MAX_BATCH, default 64).")
    String maxBatch;
    @Option(names = "--max-wait-ms", description = "Longest wait for batch-mates (env DENOISE_MAX_WAIT_MS, default 10).")
    String maxWaitMs;
    @Option(names = "--max-loaded-versions", description = "Versions kept loaded per model (env DENOISE_MAX_LOADED_VERSIONS, default 3).")
    String maxLoadedVersions;
    @Option(names = "--no-model-wait-ms", description = "How long requests wait for their model (env DENOISE_NO_MODEL_WAIT_MS, default 60000).")
    String noModelWaitMs;
    @Option(names = "--http-port", description = "Port of /health, /ready, /metrics (env DENOISE_HTTP_PORT, default 8080).")
    String httpPort;
    @Option(names = "--state-dir", description = "Streams state directory (env DENOISE_STATE_DIR).")
    String stateDir;
    @Option(names = "--threads", defaultValue = "0", description = "PyTorch threads; 0 for the engine's default.")
    int threads;

    @Override
    public Integer call() throws Exception {
        ComputeDevice.configureThreads(threads, 0);
        Map<String, String> flags = new HashMap<>();
        put(flags, SamplerSettings.APPLICATION_ID.flag(), applicationId);
        put(flags, SamplerSettings.MAX_STEPS.flag(), maxSteps);
        put(flags, SamplerSettings.MAX_SEEDS.flag(), maxSeeds);
        put(flags, SamplerSettings.MAX_BATCH.flag(), maxBatch);
        put(flags, SamplerSettings.MAX_WAIT_MS.flag(), maxWaitMs);
        put(flags, SamplerSettings.MAX_LOADED_VERSIONS.flag(), maxLoadedVersions);
        put(flags, SamplerSettings.NO_MODEL_WAIT_MS.flag(), noModelWaitMs);
        put(flags, SamplerSettings.HTTP_PORT.flag(), httpPort);
        put(flags, SamplerSettings.STATE_DIR.flag(), stateDir);
        System.out.println("Device: " + ComputeDevice.describe());
        StreamSamplerMain.run(connection.settings(), SamplerSettings.resolve(flags, System.getenv()));
        return 0;
    }

    private static void put(Map<String, String> flags, String flag, String value) {
        if (value != null) {
            flags.put(flag, value);
        }
    }
}
