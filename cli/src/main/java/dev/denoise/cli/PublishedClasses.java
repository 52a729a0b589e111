package dev.denoise.cli;

import dev.denoise.diffusion.DenoiserArchitecture;
import dev.denoise.diffusion.ModelFamilies;
import dev.denoise.schemas.ModelCatalogue;
import dev.denoise.schemas.ModelVersion;
import dev.denoise.schemas.config.ConnectionSettings;
import java.util.List;
import java.util.Optional;

/**
 * A model's classes as its pinned (or newest) published version states them: how many, and their
 * names when it has some. Read only for {@code --label NAME} and {@code --label all}; a plain
 * request reads no catalogue. A model the catalogue does not have yet counts as the ten digits.
 */
record PublishedClasses(String model, int count, List<String> names) {
    private static final int DIGITS = 10;

    static PublishedClasses of(ConnectionSettings settings, String model, Integer pinnedVersion) {
        ModelCatalogue catalogue = ModelCatalogue.read(settings);
        int number = pinnedVersion != null ? pinnedVersion : catalogue.highestVersion(model);
        Optional<ModelVersion> version = catalogue.version(model, number);
        if (version.isEmpty() && pinnedVersion != null) {
            throw new IllegalArgumentException("Model " + model + " has no version " + pinnedVersion + "; versions: "
                    + catalogue.versionNumbers(model));
        }
        if (version.isEmpty()) {
            return new PublishedClasses(model, DIGITS, List.of());
        }
        DenoiserArchitecture architecture = ModelFamilies.architecture(version.get().getArchitecture(),
                version.get().getHyperParameters());
        return new PublishedClasses(model, architecture.classes(), architecture.classNames());
    }

    /** The index of the class called {@code name}, or an {@link IllegalArgumentException} listing the names there are. */
    int index(String name) {
        int index = names.indexOf(name);
        if (index < 0) {
            throw new IllegalArgumentException(names.isEmpty()
                    ? "Model " + model + " publishes no class names; --label takes a class index 0-" + (count - 1)
                    : "Model " + model + " has no class '" + name + "'; its classes: " + names);
        }
        return index;
    }

    /** Class {@code index} in a request id, so that ids sort in class order: "digit3", or "class03-ring" with names. */
    String idPart(int index) {
        if (names.isEmpty() && count <= DIGITS) {
            return "digit" + index;
        }
        return String.format("class%02d", index) + (names.isEmpty() ? "" : "-" + names.get(index));
    }
}
