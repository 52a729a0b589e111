package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network trained outside the project and saved as a TorchScript archive, with the contract
 * it was trained under: the module follows diffusers' {@code UNet2DModel} signature,
 * {@code forward(sample, timestep, class_labels)} → a tensor of {@code sample}'s shape, with
 * {@code sample} float32 (N, C, H, W) in [-1, 1], {@code timestep} int64 (N) and, for a
 * class-conditioned model only, {@code class_labels} int64 (N); its noise schedule and prediction
 * type are a diffusers {@link SchedulerConfig}. The contract travels as the version's
 * hyper-parameters, so each version brings its own samplers ({@link #family()}).
 */
public final class TorchScriptArchitecture implements DenoiserArchitecture {
    private static final Logger LOG = LoggerFactory.getLogger(TorchScriptArchitecture.class);

    public static final String NAME = "torchscript";
    public static final int MIN_SIDE = 8;
    public static final int MAX_SIDE = 256;
    /** The step count a request gets when the publisher named none: DPM-Solver++ is good by then. */
    public static final int DEFAULT_STEPS = 20;
    /** The guidance a request to a class-conditioned model gets when the publisher named none. */
    public static final float DEFAULT_GUIDANCE = 2f;

    private static final Set<String> KEYS = Set.of("image", "classes", "no_class", "class_names", "default_steps",
            "default_guidance");

    private final Shape image;
    private final int classes;
    private final int noClass;
    private final List<String> classNames;
    private final SchedulerConfig scheduler;
    private final int defaultSteps;
    private final float defaultGuidance;
    private final ModelFamily family;

    /**
     * @param image           (C, H, W): C 1 or 3, H and W {@value #MIN_SIDE} to {@value #MAX_SIDE}
     * @param classes         0 for an unconditioned model
     * @param noClass         the class index that means "no class" (classifier-free guidance); at least {@code classes}
     * @param classNames      empty, or one name a class, so requests may name them
     */
    public TorchScriptArchitecture(Shape image, int classes, int noClass, List<String> classNames,
                                   SchedulerConfig scheduler, int defaultSteps, float defaultGuidance) {
        if (image.dimension() != 3 || (image.get(0) != 1 && image.get(0) != 3)) {
            throw new IllegalArgumentException("image must be CxHxW with C 1 (grey) or 3 (RGB), not " + shapeText(image));
        }
        for (int axis = 1; axis < 3; axis++) {
            if (image.get(axis) < MIN_SIDE || image.get(axis) > MAX_SIDE) {
                throw new IllegalArgumentException("image height and width must be " + MIN_SIDE + " to " + MAX_SIDE
                        + ", not " + shapeText(image));
            }
        }
        if (classes < 0 || noClass < classes) {
            throw new IllegalArgumentException("classes must be >= 0 and no_class >= classes, not " + classes
                    + " and " + noClass);
        }
        if (!classNames.isEmpty() && classNames.size() != classes) {
            throw new IllegalArgumentException(classNames.size() + " class names for " + classes + " classes");
        }
        for (String className : classNames) {
            if (className.isBlank() || className.contains(",") || className.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("a class name is a non-empty word without commas that is not a number, not '"
                        + className + "'");
            }
        }
        if (classNames.stream().distinct().count() != classNames.size()) {
            throw new IllegalArgumentException("class names must differ: " + classNames);
        }
        if (defaultSteps < 1 || defaultSteps > scheduler.numTrainTimesteps()) {
            throw new IllegalArgumentException("default steps must be 1.." + scheduler.numTrainTimesteps() + ", not " + defaultSteps);
        }
        if (!(Float.isFinite(defaultGuidance) && defaultGuidance >= 0)) {
            throw new IllegalArgumentException("default guidance must be a finite number >= 0, not " + defaultGuidance);
        }
        this.image = image;
        this.classes = classes;
        this.noClass = noClass;
        this.classNames = List.copyOf(classNames);
        this.scheduler = scheduler;
        this.defaultSteps = defaultSteps;
        this.defaultGuidance = classes == 0 ? 0f : defaultGuidance;
        DiffusersSchedule schedule = new DiffusersSchedule(scheduler);
        this.family = new ModelFamily(NAME, () -> {
            throw new UnsupportedOperationException("a TorchScript model is trained outside the project");
        }, TorchScriptArchitecture::of,
                DiffusersSampler.NAMES.stream().<Sampler>map(n -> new DiffusersSampler(n, schedule, noClass)).toList(),
                defaultSteps, this.defaultGuidance);
    }

    /** The contract from a version's hyper-parameters; keys it does not know are logged and ignored. */
    public static TorchScriptArchitecture of(Map<String, String> hyperParameters) {
        return of(hyperParameters, warning -> LOG.warn("{}", warning));
    }

    /** As above, telling {@code warnings} of each ignored key; a bad value throws {@link WeightsMismatchException}. */
    public static TorchScriptArchitecture of(Map<String, String> hyperParameters, Consumer<String> warnings) {
        Map<String, String> schedulerKeys = new TreeMap<>();
        List<String> ignored = new ArrayList<>();
        hyperParameters.forEach((key, value) -> {
            if (key.startsWith(SchedulerConfig.PREFIX)) {
                schedulerKeys.put(key.substring(SchedulerConfig.PREFIX.length()), value);
            } else if (!KEYS.contains(key)) {
                ignored.add(key);
            }
        });
        if (!ignored.isEmpty()) {
            warnings.accept("hyper-parameters ignored (not part of a TorchScript contract): " + ignored);
        }
        try {
            String imageText = hyperParameters.get("image");
            if (imageText == null) {
                throw new IllegalArgumentException("the image shape (hyper-parameter 'image', e.g. 3x32x32) is missing");
            }
            int classes = Integer.parseInt(hyperParameters.getOrDefault("classes", "0"));
            String names = hyperParameters.getOrDefault("class_names", "");
            return new TorchScriptArchitecture(parseShape(imageText), classes,
                    Integer.parseInt(hyperParameters.getOrDefault("no_class", String.valueOf(classes))),
                    names.isEmpty() ? List.of() : Arrays.asList(names.split(",", -1)),
                    SchedulerConfig.of(schedulerKeys, warnings),
                    Integer.parseInt(hyperParameters.getOrDefault("default_steps", String.valueOf(DEFAULT_STEPS))),
                    Float.parseFloat(hyperParameters.getOrDefault("default_guidance", String.valueOf(DEFAULT_GUIDANCE))));
        } catch (IllegalArgumentException e) {
            throw new WeightsMismatchException("TorchScript contract refused: " + e.getMessage());
        }
    }

    /** "3x32x32" → (3, 32, 32). */
    public static Shape parseShape(String text) {
        String[] parts = text.trim().split("x");
        if (parts.length != 3) {
            throw new IllegalArgumentException("an image shape is CxHxW, e.g. 3x32x32, not '" + text + "'");
        }
        long[] dims = new long[3];
        for (int i = 0; i < 3; i++) {
            try {
                dims[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("an image shape is CxHxW, e.g. 3x32x32, not '" + text + "'");
            }
        }
        return new Shape(dims);
    }

    private static String shapeText(Shape shape) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < shape.dimension(); i++) {
            text.append(i == 0 ? "" : "x").append(shape.get(i));
        }
        return text.toString();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, String> hyperParameters() {
        Map<String, String> values = new TreeMap<>(scheduler.toHyperParameters());
        values.put("image", shapeText(image));
        values.put("classes", String.valueOf(classes));
        values.put("no_class", String.valueOf(noClass));
        if (!classNames.isEmpty()) {
            values.put("class_names", String.join(",", classNames));
        }
        values.put("default_steps", String.valueOf(defaultSteps));
        values.put("default_guidance", String.valueOf(defaultGuidance));
        return SortedMaps.of(values);
    }

    /** Not built: the network is the archive's. */
    @Override
    public Block build() {
        throw new UnsupportedOperationException("a TorchScript model is loaded from its archive, not built");
    }

    @Override
    public Shape imageShape() {
        return image;
    }

    public SchedulerConfig scheduler() {
        return scheduler;
    }

    @Override
    public NDList exampleInputs(NDArray x) {
        int n = Math.toIntExact(x.getShape().get(0));
        int[] timesteps = new int[n];
        int[] labels = new int[n];
        Arrays.fill(timesteps, scheduler.numTrainTimesteps() / 2);
        Arrays.fill(labels, noClass);
        return forwardInputs(x, timesteps, labels);
    }

    /** The module's inputs: the images, the timesteps as int64 and, when class-conditioned, the classes as int64. */
    @Override
    public NDList forwardInputs(NDArray images, int[] timesteps, int[] labels) {
        NDManager manager = images.getManager();
        NDArray t = manager.create(Arrays.stream(timesteps).asLongStream().toArray());
        if (classes == 0) {
            return new NDList(images, t);
        }
        return new NDList(images, t, manager.create(Arrays.stream(labels).asLongStream().toArray()));
    }

    @Override
    public boolean classConditioned() {
        return classes > 0;
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public int noClass() {
        return noClass;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    /** Its samplers on its own schedule, and the defaults its publisher chose. */
    @Override
    public ModelFamily family() {
        return family;
    }
}
