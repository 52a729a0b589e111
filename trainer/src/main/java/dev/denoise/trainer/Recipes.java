package dev.denoise.trainer;

import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.DenoiserArchitecture;
import dev.denoise.diffusion.DistilledUNet;
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

    /** The families that have a recipe; a distilled student's takes its teacher ({@link DenoiserTrainer#distilling}). */
    public static Set<String> families() {
        Set<String> families = new TreeSet<>(BY_FAMILY.keySet());
        families.add(DistilledUNet.NAME);
        return families;
    }

    /** The recipe of {@code architecture}'s family. */
    static Recipe of(DenoiserArchitecture architecture) {
        if (architecture.name().equals(DistilledUNet.NAME)) {
            throw new IllegalArgumentException("A " + DistilledUNet.NAME + " learns from a teacher: train it with "
                    + "--distill-from TEACHER.weights");
        }
        Supplier<Recipe> recipe = BY_FAMILY.get(architecture.name());
        if (recipe == null) {
            throw new IllegalArgumentException("No training recipe for model family '" + architecture.name()
                    + "'; recipes exist for " + families());
        }
        return recipe.get();
    }
}
