package dev.denoise.trainer;

import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.DenoiserArchitecture;
import dev.denoise.diffusion.MaskedUNet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/** The training {@link Recipe} of each model family, by the family's name. */
public final class Recipes {

    private static final Map<String, Supplier<Recipe>> BY_FAMILY = Map.of(
            ArticleUNet.NAME, ArticleRecipe::new,
            CondUNet.NAME, GuidedRecipe::new,
            MaskedUNet.NAME, MaskedRecipe::new);

    private Recipes() {
    }

    /** The families that have a recipe. */
    public static Set<String> families() {
        return new TreeSet<>(BY_FAMILY.keySet());
    }

    /** The recipe of {@code architecture}'s family. */
    static Recipe of(DenoiserArchitecture architecture) {
        Supplier<Recipe> recipe = BY_FAMILY.get(architecture.name());
        if (recipe == null) {
            throw new IllegalArgumentException("No training recipe for model family '" + architecture.name()
                    + "'; recipes exist for " + families());
        }
        return recipe.get();
    }
}
