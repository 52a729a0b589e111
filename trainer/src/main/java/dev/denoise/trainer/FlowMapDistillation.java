package dev.denoise.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.DistilledUNet;
import dev.denoise.diffusion.FlowMapSampler;
import dev.denoise.diffusion.NoiseScheduleSampler;
import dev.denoise.diffusion.Prediction;
import dev.denoise.diffusion.StepBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Flow-map distillation of a class-conditioned teacher into a few-pass {@link DistilledUNet}.
 * Each batch, the teacher walks its guided {@value DistilledUNet#TEACHER_STEPS}-step DDIM path from
 * fresh noise, asking for the batch's digits (no class for {@link #LABEL_DROPOUT} of them) at a
 * guidance scale drawn uniformly from the student's range. Given a point of that path (its
 * timesteps are where 1, 2 and 4 passes start from: the start, the hardest jump, every time, and one
 * of the others), the label and the scale, the student learns where the path ends: MSE of its x̂₀
 * against the teacher's final image. The student starts from the teacher's weights (its guidance
 * embedding, which the teacher lacks, from the usual random init), so it starts out close to the
 * teacher's one-step estimate; the paths are fresh every batch, so it never sees the
 * same noise twice, and the batch's clean digits are not used, only their labels. Published as
 * the weights' moving average.
 */
final class FlowMapDistillation implements Recipe {
    static final double LABEL_DROPOUT = 0.1;
    static final float AVERAGE_DECAY = 0.995f;
    private static final int[] SHEET_PASSES = {1, 2, 4};
    private static final int HELD_OUT_IMAGES = 100;
    private static final long HELD_OUT_SEED_BASE = 5_000_000L;

    private final Denoiser teacher;
    private final String teacherSha256;
    /** The teacher's final images for the held-out seeds, made once. */
    private List<byte[]> heldOutTargets;

    FlowMapDistillation(Denoiser teacher) {
        this.teacher = teacher;
        this.teacherSha256 = teacher.weights().sha256();
    }

    @Override
    public String teacher() {
        return teacherSha256;
    }

    /** The student network for {@code teacher}, which must be a {@link CondUNet}. */
    static DistilledUNet studentOf(Denoiser teacher) {
        if (!(teacher.architecture() instanceof CondUNet conditioned)) {
            throw new IllegalArgumentException("Distillation takes a " + CondUNet.NAME + " teacher, not "
                    + teacher.architecture().name());
        }
        return DistilledUNet.of(conditioned);
    }

    /** Copies every teacher parameter into the student's of the same name; the guidance embedding it adds keeps its init. */
    @Override
    public void initialize(Denoiser student) {
        Map<String, NDArray> teacherWeights = new HashMap<>();
        for (Pair<String, Parameter> p : teacher.block().getParameters()) {
            teacherWeights.put(p.getKey(), p.getValue().getArray());
        }
        int copied = 0;
        for (Pair<String, Parameter> p : student.block().getParameters()) {
            NDArray weights = teacherWeights.get(p.getKey());
            if (weights != null) {
                p.getValue().getArray().set(weights.toFloatArray());
                copied++;
            }
        }
        if (copied != teacherWeights.size()) {
            throw new IllegalStateException("The student took " + copied + " of its teacher's " + teacherWeights.size()
                    + " parameters: their networks differ");
        }
    }

    @Override
    public NDArray loss(Denoiser student, NDManager batch, float[] clean, int[] labels, SplittableRandom random) {
        int n = labels.length;
        long[] seeds = new long[n];
        int[] asked = new int[n];
        float[] scales = new float[n];
        for (int i = 0; i < n; i++) {
            seeds[i] = random.nextLong();
            asked[i] = random.nextDouble() < LABEL_DROPOUT ? CondUNet.NO_CLASS : labels[i];
            // No draw for a row without a class, whose scale the network is given fixed.
            float drawn = asked[i] == CondUNet.NO_CLASS ? 0f : DistilledUNet.MIN_GUIDANCE
                    + (float) random.nextDouble() * (DistilledUNet.MAX_GUIDANCE - DistilledUNet.MIN_GUIDANCE);
            scales[i] = DistilledUNet.networkScale(asked[i], drawn);
        }
        float[][] path = NoiseScheduleSampler.ddimPaths(teacher, seeds, asked, scales, DistilledUNet.TEACHER_STEPS);
        // Every path teaches its start (one pass, the hardest jump) and one other point, drawn evenly.
        int[] rowImage = new int[2 * n];
        int[] rowPoint = new int[2 * n];
        for (int i = 0; i < n; i++) {
            rowImage[2 * i] = i;
            rowImage[2 * i + 1] = i;
            rowPoint[2 * i + 1] = 1 + random.nextInt(DistilledUNet.TEACHER_STEPS - 1);
        }
        StepBatch.Network network = (x, timesteps, rowLabels, rowScales) ->
                student.predict(student.architecture().forwardInputs(x, timesteps, rowLabels, rowScales), true);
        return endpointLoss(network, batch, student.architecture().imageShape(), path, asked, scales, rowImage, rowPoint);
    }

    /**
     * MSE of the student's x̂₀ against where the paths end, one row an (image, point) pair: row r
     * starts from image {@code rowImage[r]} at point {@code rowPoint[r]} of its path. {@code path[k]}
     * holds the images (of {@code image}'s shape, one after another) before step k of
     * {@code path.length − 1} evenly spaced steps, {@code path[path.length − 1]} where they end.
     */
    static NDArray endpointLoss(StepBatch.Network student, NDManager batch, Shape image, float[][] path, int[] labels,
                                float[] scales, int[] rowImage, int[] rowPoint) {
        int steps = path.length - 1;
        int pixels = Math.toIntExact(image.size());
        int[] timesteps = Prediction.SCHEDULE.timesteps(steps);
        int rows = rowImage.length;
        float[] images = new float[rows * pixels];
        float[] targets = new float[rows * pixels];
        float[] alphas = new float[rows];
        float[] sigmas = new float[rows];
        int[] rowTimesteps = new int[rows];
        int[] rowLabels = new int[rows];
        float[] rowScales = new float[rows];
        for (int r = 0; r < rows; r++) {
            int i = rowImage[r];
            int k = rowPoint[r];
            System.arraycopy(path[k], i * pixels, images, r * pixels, pixels);
            System.arraycopy(path[steps], i * pixels, targets, r * pixels, pixels);
            double alphaBar = Prediction.SCHEDULE.alphaBar(timesteps[k]);
            alphas[r] = (float) Math.sqrt(alphaBar);
            sigmas[r] = (float) Math.sqrt(1 - alphaBar);
            rowTimesteps[r] = timesteps[k];
            rowLabels[r] = labels[i];
            rowScales[r] = scales[i];
        }
        Shape shape = new Shape(rows, image.get(0), image.get(1), image.get(2));
        NDArray x = batch.create(images, shape);
        NDArray v = student.forward(x, rowTimesteps, rowLabels, rowScales);
        Shape perRow = new Shape(rows, 1, 1, 1);
        NDArray x0 = x.mul(batch.create(alphas, perRow)).sub(v.mul(batch.create(sigmas, perRow)));
        return x0.sub(batch.create(targets, shape)).square().mean();
    }

    /** Mean squared difference (grey levels in [0, 1]) from the teacher's images at each pass count, the same seeds every epoch. */
    @Override
    public Map<String, Double> heldOut(Denoiser student, MnistDataset heldOut) {
        long[] seeds = new long[HELD_OUT_IMAGES];
        int[] labels = new int[HELD_OUT_IMAGES];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = HELD_OUT_SEED_BASE + i;
            labels[i] = i % 10;
        }
        if (heldOutTargets == null) {
            heldOutTargets = new NoiseScheduleSampler(NoiseScheduleSampler.DDIM).sample(teacher, seeds, labels,
                    CondUNet.DEFAULT_GUIDANCE, DistilledUNet.TEACHER_STEPS);
        }
        Map<String, Double> result = new LinkedHashMap<>();
        for (int passes : DistilledUNet.PASSES) {
            List<byte[]> images = new FlowMapSampler().sample(student, seeds, labels, CondUNet.DEFAULT_GUIDANCE, passes);
            double sum = 0;
            for (int i = 0; i < images.size(); i++) {
                byte[] image = images.get(i);
                byte[] target = heldOutTargets.get(i);
                for (int p = 0; p < image.length; p++) {
                    double d = ((image[p] & 0xFF) - (target[p] & 0xFF)) / 255.0;
                    sum += d * d;
                }
            }
            result.put("teacher-mse" + DistilledUNet.passesSuffix(passes),
                    sum / (images.size() * (double) images.get(0).length));
        }
        return result;
    }

    /** A row per digit at 1, 2 and 4 passes with the default guidance. */
    @Override
    public List<Path> writeSheets(Denoiser student, Path dir, String prefix) throws IOException {
        return DigitSheets.write(new FlowMapSampler(), student, CondUNet.DEFAULT_GUIDANCE, SHEET_PASSES, dir, prefix);
    }

    @Override
    public List<byte[]> qualitySamples(Denoiser student, long[] seeds, int[] labels) {
        return new FlowMapSampler().sample(student, seeds, labels, CondUNet.DEFAULT_GUIDANCE,
                DistilledUNet.FAMILY.defaultSteps());
    }

    /** The pass counts besides the default, each judged like it. */
    @Override
    public Map<String, SampleEvaluation.BatchSampler> otherQualitySettings(Denoiser student) {
        Map<String, SampleEvaluation.BatchSampler> settings = new LinkedHashMap<>();
        for (int passes : DistilledUNet.PASSES) {
            if (passes != DistilledUNet.FAMILY.defaultSteps()) {
                settings.put(DistilledUNet.passesSuffix(passes), (seeds, labels) -> new FlowMapSampler().sample(student, seeds, labels,
                        CondUNet.DEFAULT_GUIDANCE, passes));
            }
        }
        return settings;
    }

    @Override
    public String qualityDescription() {
        return DistilledUNet.FAMILY.defaultSteps() + " " + FlowMapSampler.NAME + " pass, guidance "
                + CondUNet.DEFAULT_GUIDANCE;
    }

    @Override
    public boolean labelled() {
        return true;
    }

    @Override
    public float averageDecay() {
        return AVERAGE_DECAY;
    }
}
