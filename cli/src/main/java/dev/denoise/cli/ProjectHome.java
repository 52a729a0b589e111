package dev.denoise.cli;

import java.nio.file.Path;

/** The project's root folder: the launcher passes it as {@code denoise.home}; local state lives in its .denoise folder. */
final class ProjectHome {
    private ProjectHome() {}

    static Path root() {
        return Path.of(System.getProperty("denoise.home", ".")).toAbsolutePath().normalize();
    }

    /** The MNIST test split shipped in the repository (data/mnist/README.md): the default training data. */
    static Path shippedMnist() {
        return root().resolve("data").resolve("mnist");
    }

    /** Project-local state: the stack's data and logs, unpacked tools, outputs. */
    static Path state() {
        return root().resolve(".denoise");
    }
}
