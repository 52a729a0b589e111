package dev.denoise.cli;

import dev.denoise.diffusion.ComputeDevice;
import dev.denoise.sampler.SamplingServiceMain;
import dev.denoise.sampler.ServiceSettings;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.schemas.config.Setting;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code denoise serve}: runs the stream-sampler until Ctrl-C or SIGTERM. */
@Command(name = "serve", description = "Run the stream-sampler: requests in, images out, model versions hot-swapped. Stops on Ctrl-C/SIGTERM.")
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Option(names = "--threads", defaultValue = "0", description = "PyTorch threads; 0 for the engine's default.")
    int threads;

    @Spec
    CommandSpec spec;

    /**
     * One option per sampler setting, its flag and help from ServiceSettings, the one definition:
     * what it means, what it allows, its default and its environment variable. Values are read as
     * text and checked by {@link ServiceSettings#resolve}, so a bad flag and a bad variable fail alike.
     */
    static void declareSettings(CommandSpec serve) {
        for (Setting<?> setting : ServiceSettings.SETTINGS) {
            serve.addOption(GeneratedHelp.option(setting));
        }
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new HashMap<>();
        for (Setting<?> setting : ServiceSettings.SETTINGS) {
            String value = spec.findOption(setting.flag()).getValue();
            if (value != null) {
                flags.put(setting.flag(), value);
            }
        }
        // Settings are checked before anything loads or connects.
        ServiceSettings settings = ServiceSettings.resolve(flags, System.getenv());
        ConnectionSettings connectionSettings = connection.settings();
        ComputeDevice.configureThreads(threads, 0);
        System.out.println("Device: " + ComputeDevice.describe());
        SamplingServiceMain.run(connectionSettings, settings);
        return 0;
    }
}
