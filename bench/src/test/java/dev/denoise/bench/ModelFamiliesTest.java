package dev.denoise.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.DenoiserArchitecture;
import dev.denoise.diffusion.ModelFamilies;
import dev.denoise.diffusion.ModelFamily;
import dev.denoise.diffusion.Sampler;
import dev.denoise.trainer.Recipes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every registered model family is complete: a network that says its name and reads its own
 * published hyper-parameters, a training recipe, evaluation targets, samplers that requests can
 * name, and defaults those samplers take; and every recipe and set of targets belongs to a
 * registered family. A family missing any of them is named with what it lacks and where that goes.
 */
class ModelFamiliesTest {

    @Test
    void everyFamilyHasEverythingAFamilyNeeds() {
        List<String> problems = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Map<String, Sampler> requestable = ModelFamilies.samplers();
        for (ModelFamily family : ModelFamilies.ALL) {
            String name = family.name();
            if (!names.add(name)) {
                problems.add(name + ": registered twice in ModelFamilies.ALL");
            }
            DenoiserArchitecture architecture = family.architecture();
            if (!architecture.name().equals(name)) {
                problems.add(name + ": its network calls itself " + architecture.name());
            }
            try {
                family.architecture(architecture.hyperParameters());
            } catch (RuntimeException e) {
                problems.add(name + ": cannot read its own published hyper-parameters: " + e.getMessage());
            }
            if (!Recipes.families().contains(name)) {
                problems.add(name + ": no training recipe (trainer: Recipes)");
            }
            if (!EvaluationTargets.families().contains(name)) {
                problems.add(name + ": no evaluation targets (bench: EvaluationTargets)");
            }
            if (family.samplers().isEmpty()) {
                problems.add(name + ": no sampler");
            }
            for (Sampler sampler : family.samplers()) {
                Sampler byName = requestable.get(sampler.name());
                if (byName == null || byName.getClass() != sampler.getClass()) {
                    problems.add(name + ": a request naming sampler '" + sampler.name() + "' reaches "
                            + (byName == null ? "no sampler" : byName.getClass().getSimpleName()));
                }
            }
            problems.addAll(defaultProblems(family, architecture));
        }
        for (String recipe : Recipes.families()) {
            if (!names.contains(recipe)) {
                problems.add(recipe + ": has a training recipe but is not in ModelFamilies.ALL");
            }
        }
        for (String targets : EvaluationTargets.families()) {
            if (!names.contains(targets)) {
                problems.add(targets + ": has evaluation targets but is not in ModelFamilies.ALL");
            }
        }
        assertThat(problems).as("what the registered model families lack").isEmpty();
    }

    /** The defaults are in range: every sampler of the family starts a trajectory at them. */
    private static List<String> defaultProblems(ModelFamily family, DenoiserArchitecture architecture) {
        List<String> problems = new ArrayList<>();
        String name = family.name();
        float guidance = family.defaultGuidance();
        if (family.defaultSteps() < 1) {
            problems.add(name + ": default steps " + family.defaultSteps() + " < 1");
        }
        if (!Float.isFinite(guidance) || guidance < 0) {
            problems.add(name + ": default guidance " + guidance + " is not a finite number >= 0");
        } else if (architecture.classConditioned() != (guidance > 0)) {
            problems.add(name + ": default guidance " + guidance + (architecture.classConditioned()
                    ? " for a class-conditioned network (it needs > 0)" : " for a network that takes no label (it needs 0)"));
        }
        int label = architecture.classConditioned() ? 3 : CondUNet.NO_CLASS;
        int pixels = Math.toIntExact(architecture.imageShape().size());
        for (Sampler sampler : family.samplers()) {
            try {
                sampler.start(0, family.defaultSteps(), label, guidance, pixels);
            } catch (RuntimeException e) {
                problems.add(name + ": sampler " + sampler.name() + " refuses the defaults (" + family.defaultSteps()
                        + " steps, guidance " + guidance + "): " + e.getMessage());
            }
        }
        return problems;
    }
}
