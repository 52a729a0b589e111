package dev.denoise.cli;

import dev.denoise.diffusion.DiffusersSampler;
import dev.denoise.diffusion.DistilledUNet;
import dev.denoise.diffusion.ModelFamilies;
import dev.denoise.diffusion.ModelFamily;
import dev.denoise.diffusion.TorchScriptArchitecture;
import dev.denoise.schemas.config.Setting;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

/**
 * Help text made from the definitions it describes, so it cannot drift from them: a setting's
 * line from its {@link Setting}, the lines that list model families from {@link ModelFamilies}.
 */
final class GeneratedHelp {
    private GeneratedHelp() {
    }

    /** A setting's help: what it means, what it allows, its default and its environment variable. */
    static String describe(Setting<?> setting) {
        return setting.doc() + " [" + setting.expected()
                + (setting.defaultValue() == null ? "" : "; default " + setting.defaultText())
                + "; env " + setting.envVar() + "]";
    }

    /** The options of {@code cli}'s commands that list the model families, from the families. */
    static void describeFamilies(CommandLine cli) {
        String conditioned = ModelFamilies.ALL.stream().filter(f -> f.architecture().classConditioned())
                .map(ModelFamily::name).collect(Collectors.joining(", "));
        String samplers = "The sampler; default the model family's first: " + each(f -> String.join(", ", f.samplerNames()))
                + "; " + String.join(", ", DiffusersSampler.NAMES) + " (" + TorchScriptArchitecture.NAME + ").";
        CommandSpec request = cli.getSubcommands().get("request").getCommandSpec();
        redescribe(request, "--steps", "Denoising steps; default the model family's: " + each(ModelFamily::defaultSteps)
                + "; the publisher's choice (" + TorchScriptArchitecture.NAME + ").");
        redescribe(request, "--sampler", samplers);
        redescribe(request, "--label", "The class to draw, for class-conditioned models: a digit 0-9 for the families here ("
                + conditioned + "); an index or a published class name for a TorchScript model. all spreads the seeds over "
                + "the classes (one request per class, seed i to class i mod the count; the sheet has a row per class).");
        redescribe(cli.getSubcommands().get("evaluate").getCommandSpec(), "--sampler", samplers);
        redescribe(cli.getSubcommands().get("train").getCommandSpec(), "--architecture", "The model family to train: "
                + ModelFamilies.ALL.stream().map(ModelFamily::name).filter(name -> !name.equals(DistilledUNet.NAME))
                        .collect(Collectors.joining(", "))
                + " (each with its own recipe: docs/models.md; a " + DistilledUNet.NAME + " comes from --distill-from); "
                + "default ${DEFAULT-VALUE}.");
    }

    /** An option of {@code setting}'s flag taking text (checked when the setting resolves), with the setting's help. */
    static OptionSpec option(Setting<?> setting) {
        return OptionSpec.builder(setting.flag()).paramLabel("VALUE").type(String.class)
                .description(literal(describe(setting))).build();
    }

    /** Replaces the description of {@code flag} in {@code command}; the option stays bound to its field. */
    static void redescribe(CommandSpec command, String flag, String description) {
        OptionSpec option = command.findOption(flag);
        command.remove(option);
        command.addOption(option.toBuilder().description(literal(description)).build());
    }

    /** {@code text} as a picocli description, which picocli formats with String.format. */
    private static String literal(String text) {
        return text.replace("%", "%%");
    }

    private static String each(Function<ModelFamily, Object> value) {
        return ModelFamilies.ALL.stream().map(f -> value.apply(f) + " (" + f.name() + ")").collect(Collectors.joining("; "));
    }
}
