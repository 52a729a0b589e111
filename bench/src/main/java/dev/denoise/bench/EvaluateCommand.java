package dev.denoise.bench;

import ai.djl.Device;
import dev.denoise.diffusion.ComputeDevice;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.DenoiserArchitecture;
import dev.denoise.diffusion.ModelFamily;
import dev.denoise.diffusion.Sampler;
import dev.denoise.localstack.ProjectHome;
import dev.denoise.trainer.ConsoleProgress;
import dev.denoise.trainer.MaskedElbo;
import dev.denoise.trainer.SampleEvaluation;
import dev.denoise.trainer.TrainedModel;
import dev.denoise.trainer.TrainedModelFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code denoise evaluate}: what the project's digit classifier reads in a model's samples, at
 * the step counts and guidance scales asked for, beside the targets of the conditioned models.
 */
@Command(name = "evaluate", description = "Judge a trained model's samples with the project's digit classifier: label "
        + "accuracy, confidence, class entropy and Frechet distance to held-out digits beside the real-vs-real floor.")
public final class EvaluateCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "WEIGHTS",
            description = "A <model>.weights file with its .properties beside it (default: the shipped "
                    + ProjectHome.SHIPPED_CONDITIONED + ").")
    Path weights;

    @Option(names = "--steps", split = ",", paramLabel = "N[,N...]",
            description = "Step counts to judge (default: the architecture's).")
    List<Integer> steps;

    @Option(names = "--guidance", split = ",", paramLabel = "G[,G...]",
            description = "Guidance scales to judge, for class-conditioned models (default: the model's).")
    List<Float> guidance;

    @Option(names = "--sampler", description = "Sampler (default: the architecture's).")
    String sampler;

    @Option(names = "--samples", defaultValue = "1000", description = "Samples per setting (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--data", paramLabel = "DIR",
            description = "MNIST-format IDX files the classifier learns from and compares with (default: data/mnist).")
    Path data;

    @Option(names = "--held-out", defaultValue = "1000",
            description = "The last images of the data, kept for the classifier's accuracy and the real features (default ${DEFAULT-VALUE}).")
    int heldOut;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the classifier's training (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--elbo-draws", defaultValue = "16",
            description = "Masking levels a held-out digit for a masked model's ELBO (default ${DEFAULT-VALUE}).")
    int elboDraws;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TrainedModel model = TrainedModelFiles.read(weights != null ? weights
                : ProjectHome.root().resolve(ProjectHome.SHIPPED_CONDITIONED));
        Device device = ComputeDevice.choose();
        try (Denoiser denoiser = Denoiser.load(model.weightsPackage(), device)) {
            DenoiserArchitecture architecture = denoiser.architecture();
            ModelFamily family = architecture.family();
            String samplerName = sampler != null ? sampler : family.defaultSampler().name();
            Sampler chosen = family.sampler(samplerName).orElseThrow(() -> new ParameterException(spec.commandLine(),
                    architecture.name() + " takes the samplers " + family.samplerNames() + ", not " + samplerName));
            boolean labelled = architecture.classConditioned();
            List<Integer> stepCounts = steps != null ? steps : List.of(family.defaultSteps());
            List<Float> scales = !labelled ? List.of(0f) : guidance != null ? guidance : List.of(family.defaultGuidance());
            EvaluationTargets targets = EvaluationTargets.of(family.name());
            try (SampleEvaluation evaluation = SampleEvaluation.open(data != null ? data : ProjectHome.shippedMnist(),
                    heldOut, ProjectHome.state().resolve("cache"), seed, device, new ConsoleProgress(System.err))) {
                System.out.printf(Locale.ROOT, "%s (%s, sha256 %s…) on %s; classifier held-out accuracy %.3f; %d samples "
                                + "a row, Frechet distances to %d held-out digits%n", model.modelName(), model.architecture(),
                        model.sha256().substring(0, 12), ComputeDevice.describe(), evaluation.classifierAccuracy(), samples,
                        evaluation.realCount());
                if (targets.estimatesElbo()) {
                    MaskedElbo.Estimate elbo = MaskedElbo.heldOut(denoiser, evaluation.heldOut(), elboDraws);
                    System.out.printf(Locale.ROOT, "held-out negative ELBO (no labels): %.2f ± %.2f nats an image (%d digits "
                            + "binarised once, %d masking levels each; target <= %.0f)%n", elbo.nats(), elbo.standardError(),
                            elbo.digits(), elbo.draws(), targets.negativeElbo());
                }
                System.out.printf(Locale.ROOT, "%-17s %5s %8s  %9s %10s %8s  %8s %7s %6s  %8s%n", "sampler", "steps",
                        "guidance", "label-acc", "confidence", "entropy", "Frechet", "floor", "ratio", "images/s");
                boolean allMet = true;
                for (int n : stepCounts) {
                    for (float scale : scales) {
                        long start = System.nanoTime();
                        SampleEvaluation.Verdict verdict = evaluation.sampleAndJudge(samples, labelled, (seeds, labels) ->
                                labelled ? chosen.sample(denoiser, seeds, labels, scale, n) : chosen.sample(denoiser, seeds, n));
                        double seconds = (System.nanoTime() - start) / 1e9;
                        boolean met = targets.metBy(verdict);
                        allMet &= met;
                        System.out.printf(Locale.ROOT, "%-17s %5d %8s  %9s %10.3f %8.2f  %8.1f %7.1f %5.1fx  %8.1f%s%n",
                                samplerName, n, labelled ? String.format(Locale.ROOT, "%.2f", scale) : "-",
                                labelled ? String.format(Locale.ROOT, "%.3f", verdict.labelAccuracy()) : "-",
                                verdict.confidence(), verdict.classEntropyBits(), verdict.frechetDistance(),
                                verdict.realFloor(), verdict.frechetDistance() / verdict.realFloor(), samples / seconds,
                                met ? "  targets met" : "");
                    }
                }
                System.out.println("targets: " + targets
                        + " (images/s include the classifier; `denoise benchmark model` measures speed)");
                return allMet ? 0 : 1;
            }
        }
    }
}
