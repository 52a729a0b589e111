package dev.denoise.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.denoise.diffusion.TorchScriptArchitecture;
import dev.denoise.trainer.TorchScriptImport;
import dev.denoise.trainer.TrainedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A model trained elsewhere as tools/torchscript ships it: {@code model.pt}, its
 * {@code scheduler_config.json} and {@code model.json} (image shape, classes, class names), the
 * same facts `models publish --torchscript` takes as flags.
 */
final class TorchScriptFolder {
    private TorchScriptFolder() {
    }

    /** The checked model, published as {@code modelName}. */
    static TrainedModel read(Path dir, String modelName, String dataset, Consumer<String> warnings) throws IOException {
        JsonNode contract = new ObjectMapper().readTree(dir.resolve("model.json").toFile());
        int classes = contract.path("classes").asInt(0);
        List<String> names = new ArrayList<>();
        contract.path("class_names").forEach(name -> names.add(name.asText()));
        return TorchScriptImport.checked(modelName, dir.resolve("model.pt"), dir.resolve("scheduler_config.json"),
                new TorchScriptImport.Contract(TorchScriptArchitecture.parseShape(contract.path("image").asText()), classes,
                        contract.has("no_class") ? contract.get("no_class").asInt() : null, names,
                        contract.path("default_steps").asInt(TorchScriptArchitecture.DEFAULT_STEPS),
                        (float) contract.path("default_guidance").asDouble(TorchScriptArchitecture.DEFAULT_GUIDANCE),
                        dataset, Map.of()),
                warnings);
    }
}
