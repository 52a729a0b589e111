package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A few-pass student of a {@link CondUNet} teacher: the same U-Net with the classifier-free
 * guidance scale as one more input, trained (by the trainer's flow-map distillation) to predict
 * where the teacher's guided DDIM path through a point ends. {@link FlowMapSampler} samples it in
 * {@link #PASSES} passes; guidance costs no second row, because the student learned the guided
 * teacher at every scale from {@link #MIN_GUIDANCE} to {@link #MAX_GUIDANCE}.
 *
 * <p>Inputs: those of {@link CondUNet} and the guidance scale (N,1); built by {@link #inputs}.
 * Its parameters are the teacher's, in the same order and with the same names, followed by the
 * guidance embedding's.
 */
public final class DistilledUNet implements DenoiserArchitecture {

    public static final String NAME = "distilled-unet";
    /**
     * The pass counts it is trained for. Its teacher's 4-step path visits the timesteps where every
     * pass of 1, 2 or 4 evenly spaced passes starts: the first pass starts on the path, later ones
     * from the student's own DDIM move, close to it.
     */
    public static final List<Integer> PASSES = List.of(1, 2, 4);
    /** Steps of the teacher's path: the most passes the student takes. */
    public static final int TEACHER_STEPS = 4;
    /** The guidance scales it is trained for; a request may ask for any in between. */
    public static final float MIN_GUIDANCE = 1f;
    public static final float MAX_GUIDANCE = 3f;
    /** What a request gets when it names no step count: one pass an image. */
    private static final int DEFAULT_PASSES = 1;
    public static final ModelFamily FAMILY = new ModelFamily(NAME, DistilledUNet::new, DistilledUNet::of,
            List.of(new FlowMapSampler()), DEFAULT_PASSES, CondUNet.DEFAULT_GUIDANCE);

    private final int[] channels;

    /** The shipped size, the teacher's: 32, 64 and 128 channels at 28, 14 and 7 pixels. */
    public DistilledUNet() {
        this(new int[] {32, 64, 128});
    }

    private DistilledUNet(int[] channels) {
        this.channels = channels.clone();
    }

    /** The student of {@code teacher}: its channels, with the guidance input. */
    public static DistilledUNet of(CondUNet teacher) {
        return of(teacher.hyperParameters());
    }

    /** From published hyper-parameters (the channels); the rest is fixed by the name. */
    static DistilledUNet of(Map<String, String> hyperParameters) {
        return new DistilledUNet(UNet.channels(NAME, hyperParameters));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, String> hyperParameters() {
        Map<String, String> parameters = new LinkedHashMap<>(new CondUNet(channels, Layout.CHANNELS_LAST).hyperParameters());
        parameters.put("passes", PASSES.stream().map(String::valueOf).collect(Collectors.joining(",")));
        parameters.put("guidance", MIN_GUIDANCE + ".." + MAX_GUIDANCE);
        return SortedMaps.of(parameters);
    }

    @Override
    public Shape imageShape() {
        return new Shape(1, 28, 28);
    }

    @Override
    public Shape[] inputShapes(long batchSize) {
        return new Shape[] {inputShape(batchSize), new Shape(batchSize, 1), new Shape(batchSize, UNet.CLASSES),
                new Shape(batchSize, 1)};
    }

    @Override
    public NDList exampleInputs(NDArray x) {
        int n = Math.toIntExact(x.getShape().get(0));
        int[] timesteps = new int[n];
        int[] labels = new int[n];
        float[] guidance = new float[n];
        Arrays.fill(timesteps, Prediction.SCHEDULE_LENGTH / 2);
        Arrays.fill(labels, CondUNet.NO_CLASS);
        Arrays.fill(guidance, CondUNet.DEFAULT_GUIDANCE);
        return inputs(x, timesteps, labels, guidance);
    }

    @Override
    public NDList forwardInputs(NDArray images, int[] timesteps, int[] labels) {
        float[] guidance = new float[labels.length];
        Arrays.fill(guidance, CondUNet.DEFAULT_GUIDANCE);
        return inputs(images, timesteps, labels, guidance);
    }

    @Override
    public NDList forwardInputs(NDArray images, int[] timesteps, int[] labels, float[] guidance) {
        return inputs(images, timesteps, labels, guidance);
    }

    @Override
    public boolean classConditioned() {
        return true;
    }

    @Override
    public Block build() {
        return new UNet(channels, 1, 1, Layout.CHANNELS_LAST, true);
    }

    /**
     * The network's inputs for {@code x} at {@code timesteps}, asking for {@code labels} (0-9, or
     * {@link CondUNet#NO_CLASS}) at guidance {@code guidance}; all in {@code x}'s manager.
     */
    public static NDList inputs(NDArray x, int[] timesteps, int[] labels, float[] guidance) {
        NDList inputs = CondUNet.inputs(x, timesteps, labels);
        inputs.add(x.getManager().create(guidance, new Shape(guidance.length, 1)));
        return inputs;
    }

    /**
     * The scale the network is given for a row asking for {@code label} at {@code scale}: the
     * default for a row without a class, where guidance mixes nothing (training and sampling agree).
     */
    public static float networkScale(int label, float scale) {
        return label == CondUNet.NO_CLASS ? CondUNet.DEFAULT_GUIDANCE : scale;
    }

    /** The suffix of the metrics published for {@code passes} other than the default: {@code @2-passes}. */
    public static String passesSuffix(int passes) {
        return "@" + passes + (passes == 1 ? "-pass" : "-passes");
    }

    /** Whether a request may ask for {@code scale}: 0 (no class), or within the trained range. */
    public static boolean takesGuidance(float scale) {
        return scale == 0f || (scale >= MIN_GUIDANCE && scale <= MAX_GUIDANCE);
    }
}
