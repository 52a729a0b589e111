package dev.denoise.diffusion;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;

/**
 * An architecture's block with its parameters, owning the native memory they live in: a block
 * built in Java with loaded weights, or a TorchScript module loaded from its archive. Close it
 * (try-with-resources) to free the parameters. Concurrent {@link #predict} calls from several
 * threads have not been verified; call it from one thread at a time (batch across requests).
 */
public final class Denoiser implements AutoCloseable {

    private final DenoiserArchitecture architecture;
    private final NDManager manager;
    private final Block block;
    private final ParameterStore store;
    /** The loaded TorchScript model; null for a network built in Java. */
    private final Model torchScript;

    private Denoiser(DenoiserArchitecture architecture, Device device) {
        this.architecture = architecture;
        this.manager = NDManager.newBaseManager(device);
        this.block = architecture.build();
        // Placeholder values; replaced by FanInUniformInit or loaded weights right after.
        block.setInitializer(Initializer.ZEROS, p -> true);
        block.initialize(manager, DataType.FLOAT32, architecture.inputShapes(1));
        this.store = new ParameterStore(manager, false);
        this.torchScript = null;
        // Serving builds no autograd graph (PyTorch's grad mode is on by default in new threads);
        // a trainer turns tracking on explicitly.
        requireGradients(false);
    }

    private Denoiser(TorchScriptArchitecture architecture, Model model) {
        this.architecture = architecture;
        this.manager = model.getNDManager();
        this.block = model.getBlock();
        this.store = new ParameterStore(manager, false);
        this.torchScript = model;
        requireGradients(false);
    }

    /** Fresh weights drawn from {@code seed} (PyTorch's default fan-in uniform init). */
    public static Denoiser initialized(DenoiserArchitecture architecture, Device device, long seed) {
        Denoiser denoiser = new Denoiser(architecture, device);
        FanInUniformInit.apply(denoiser.block, seed);
        return denoiser;
    }

    /**
     * Loads weights after checking they belong to {@code architecture} (name, hyper-parameters,
     * hash, shapes); throws {@link WeightsMismatchException} otherwise.
     */
    public static Denoiser load(DenoiserArchitecture architecture, WeightsPackage weights,
                                Device device) {
        if (architecture instanceof TorchScriptArchitecture contract) {
            return loadTorchScript(contract, weights, device);
        }
        Denoiser denoiser = new Denoiser(architecture, device);
        try {
            WeightsCodec.load(architecture, denoiser.block, denoiser.manager, weights);
        } catch (RuntimeException e) {
            denoiser.close();
            throw e;
        }
        return denoiser;
    }

    /** Resolves the architecture from the package itself, then loads as above. */
    public static Denoiser load(WeightsPackage weights, Device device) {
        return load(ModelFamilies.architecture(weights.architecture(), weights.hyperParameters()),
                weights, device);
    }

    /**
     * Loads a TorchScript archive (the package's bytes) after checking its hash; the module must
     * follow the contract's signature, which {@link ForwardCheck} verifies with a forward pass.
     */
    private static Denoiser loadTorchScript(TorchScriptArchitecture architecture, WeightsPackage archive, Device device) {
        String actual = WeightsCodec.sha256Hex(archive.weights());
        if (!actual.equals(archive.sha256())) {
            throw new WeightsMismatchException("the TorchScript archive's SHA-256 is " + actual + ", not the published "
                    + archive.sha256());
        }
        Model model = Model.newInstance(TorchScriptArchitecture.NAME, device, "PyTorch");
        try {
            // mapLocation: tensors saved on another device (a GPU) load onto this one.
            model.load(new ByteArrayInputStream(archive.weights()), Map.of("mapLocation", "true"));
            return new Denoiser(architecture, model);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new WeightsMismatchException("the TorchScript archive does not load: " + firstLine(e));
        }
    }

    /** The first line of an engine's message (libtorch appends its C++ stack trace). */
    static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /**
     * Replaces the parameters with checked weights (see {@link #load}); gradient tracking is
     * off afterwards. Not for a TorchScript module, whose weights are its archive.
     */
    public void replaceWeights(WeightsPackage weights) {
        if (torchScript != null) {
            throw new UnsupportedOperationException("a TorchScript module's weights are its archive");
        }
        WeightsCodec.load(architecture, block, manager, weights);
        requireGradients(false);
    }

    /**
     * The model's clean-image prediction for {@code noisy} (N,C,H,W). The result and every
     * intermediate belong to {@code noisy}'s manager: callers run this under a sub-manager they
     * close, or native memory grows with every call.
     */
    public NDArray predict(NDArray noisy, boolean training) {
        return block.forward(store, new NDList(noisy), training).singletonOrThrow();
    }

    /**
     * The network's output for all its inputs (the images first; see the architecture), under the
     * same memory rule as {@link #predict(NDArray, boolean)}.
     */
    public NDArray predict(NDList inputs, boolean training) {
        return block.forward(store, inputs, training).singletonOrThrow();
    }

    /** Inference forward pass. */
    public NDArray predict(NDArray noisy) {
        return predict(noisy, false);
    }

    /** Turns gradient tracking of all parameters on (training) or off (serving). */
    public void requireGradients(boolean required) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            p.getValue().getArray().setRequiresGradient(required);
        }
    }

    /** The current parameters as a hashed package; not for a TorchScript module, whose weights are its archive. */
    public WeightsPackage weights() {
        if (torchScript != null) {
            throw new UnsupportedOperationException("a TorchScript module's weights are its archive, kept by its publisher");
        }
        return WeightsPackage.of(architecture, WeightsCodec.encode(block));
    }

    public long parameterCount() {
        long count = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            count += p.getValue().getArray().getShape().size();
        }
        return count;
    }

    public DenoiserArchitecture architecture() {
        return architecture;
    }

    public Block block() {
        return block;
    }

    /** The manager that owns the parameters; open per-call sub-managers from it. */
    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        if (torchScript != null) {
            torchScript.close();
        } else {
            manager.close();
        }
    }
}
