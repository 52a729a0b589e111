package dev.denoise.trainer;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.ForwardCheck;
import dev.denoise.diffusion.SchedulerConfig;
import dev.denoise.diffusion.TorchScriptArchitecture;
import dev.denoise.diffusion.WeightsCodec;
import dev.denoise.diffusion.WeightsPackage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A model trained elsewhere, as a version to publish: its TorchScript archive and the contract it
 * was trained under (image shape, classes, diffusers scheduler config). {@link #checked} refuses
 * it before anything reaches the topic unless the archive loads and one forward pass keeps the
 * contract, so a refusal names what did not match.
 */
public final class TorchScriptImport {

    private TorchScriptImport() {
    }

    /** What a publisher states about the model beside its archive. */
    public record Contract(Shape image, int classes, Integer noClass, List<String> classNames, int defaultSteps,
                           float defaultGuidance, String dataset, Map<String, Double> metrics) {}

    /**
     * Reads the archive and the scheduler config, checks them as described above and returns
     * the model ready to publish as {@code modelName}; {@code warnings} hears of ignored config
     * keys. Throws {@link IllegalArgumentException} with the reason for a model that fails.
     */
    public static TrainedModel checked(String modelName, Path archive, Path schedulerConfig, Contract contract,
                                       Consumer<String> warnings) throws IOException {
        byte[] bytes = read(archive, "TorchScript archive");
        SchedulerConfig scheduler;
        try {
            scheduler = SchedulerConfig.parseJson(new String(read(schedulerConfig, "scheduler config"),
                    java.nio.charset.StandardCharsets.UTF_8), warnings);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(schedulerConfig + ": " + e.getMessage());
        }
        TorchScriptArchitecture architecture = new TorchScriptArchitecture(contract.image(), contract.classes(),
                contract.noClass() == null ? contract.classes() : contract.noClass(), contract.classNames(), scheduler,
                contract.defaultSteps(), contract.defaultGuidance());
        WeightsPackage weights = WeightsPackage.of(architecture, bytes);
        try (Denoiser denoiser = Denoiser.load(architecture, weights, Device.cpu())) {
            ForwardCheck.run(denoiser);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(archive + " does not keep the contract " + architecture.hyperParameters()
                    .entrySet().stream().filter(entry -> !entry.getKey().startsWith(SchedulerConfig.PREFIX)).toList()
                    + ": " + e.getMessage());
        }
        return new TrainedModel(modelName, TorchScriptArchitecture.NAME, architecture.hyperParameters(), bytes,
                WeightsCodec.sha256Hex(bytes), contract.dataset(), 0, 0, 0f, 0L, 0.0, contract.metrics());
    }

    private static byte[] read(Path file, String what) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("No " + what + " at " + file);
        }
    }
}
