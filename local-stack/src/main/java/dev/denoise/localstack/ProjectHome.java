package dev.denoise.localstack;

import java.nio.file.Path;

/**
 * The project's root folder: the launcher passes it as {@code denoise.home}; local state lives in
 * its .denoise folder, and the shipped models and data in the repository.
 */
public final class ProjectHome {
    /** The shipped models (models/README.md), relative to the root. */
    public static final String SHIPPED_ARTICLE = "models/mnist.weights";
    public static final String SHIPPED_CONDITIONED = "models/mnist-cond.weights";
    public static final String SHIPPED_MASKED = "models/mnist-masked.weights";
    /** The few-pass student distilled from {@link #SHIPPED_CONDITIONED}. */
    public static final String SHIPPED_FAST = "models/mnist-fast.weights";
    /** A model trained in PyTorch outside the project: a TorchScript archive with its contract (docs/bring-your-own-model.md). */
    public static final String SHIPPED_TORCHSCRIPT = "models/shapes-rgb";

    private ProjectHome() {}

    public static Path root() {
        return Path.of(System.getProperty("denoise.home", ".")).toAbsolutePath().normalize();
    }

    /** The MNIST test split shipped in the repository (data/mnist/README.md): the default training data. */
    public static Path shippedMnist() {
        return root().resolve("data").resolve("mnist");
    }

    /** Project-local state: the stack's data and logs, unpacked tools, outputs. */
    public static Path state() {
        return root().resolve(".denoise");
    }
}
