package dev.denoise.cli;

import dev.denoise.diffusion.ComputeDevice;
import dev.denoise.sampler.SamplingServiceMain;
import dev.denoise.sampler.ServiceSettings;
import dev.denoise.schemas.config.Setting;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
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

    /** One option per sampler setting, so its flag and help come from ServiceSettings, the one definition. */
    static void declareSettings(CommandSpec serve) {
        for (Setting setting : ServiceSettings.SETTINGS) {
            String source = " (env " + setting.envVar()
                    + (setting.defaultValue() == null ? "" : ", default " + setting.defaultValue()) + ")";
            serve.addOption(OptionSpec.builder(setting.flag()).paramLabel("VALUE").type(String.class)
                    .description(setting.doc() + source).build());
        }
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new HashMap<>();
        for (Setting setting : ServiceSettings.SETTINGS) {
            String value = spec.findOption(setting.flag()).getValue();
            if (value != null) {
                flags.put(setting.flag(), value);
            }
        }
        // Settings are checked before anything loads or connects.
        ServiceSettings settings = ServiceSettings.resolve(flags, System.getenv());
        ComputeDevice.configureThreads(threads, 0);
        System.out.println("Device: " + ComputeDevice.describe());
        SamplingServiceMain.run(connection.settings(), settings);
        return 0;
    }
}
