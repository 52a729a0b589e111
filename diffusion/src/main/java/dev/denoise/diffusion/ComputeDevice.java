package dev.denoise.diffusion;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * Device and thread choice. Threads must be configured before anything touches the DJL engine
 * (PyTorch reads them once when it loads); the device is a GPU when DJL sees one.
 *
 * <p>CUDA: the build ships {@code ai.djl.pytorch:pytorch-native-cpu} (classifier
 * {@code linux-x86_64}). A GPU host replaces it with the CUDA flavour of the same PyTorch
 * version (2.7.1), e.g. {@code pytorch-native-cu128} with classifier {@code linux-x86_64}, or
 * drops the natives jar and lets DJL download the matching flavour (without
 * {@code ai.djl.offline=true}); {@link #choose()} then answers {@code gpu(0)}.
 */
public final class ComputeDevice {

    public static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";
    public static final String INTEROP_THREADS_PROPERTY = "ai.djl.pytorch.num_interop_threads";

    private ComputeDevice() {
    }

    /**
     * Sets PyTorch's intra-op and inter-op thread counts (values ≤ 0 leave the default). Has
     * effect only before the engine loads.
     */
    public static void configureThreads(int threads, int interopThreads) {
        if (threads > 0) {
            System.setProperty(THREADS_PROPERTY, Integer.toString(threads));
        }
        if (interopThreads > 0) {
            System.setProperty(INTEROP_THREADS_PROPERTY, Integer.toString(interopThreads));
        }
    }

    /** GPU 0 when DJL sees a GPU, the CPU otherwise. */
    public static Device choose() {
        return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    /** Intra-op thread count in effect (the property, or the processor count PyTorch defaults to). */
    public static int threads() {
        String configured = System.getProperty(THREADS_PROPERTY);
        return configured != null ? Integer.parseInt(configured)
                : Runtime.getRuntime().availableProcessors();
    }

    /** One line for logs: engine version, device, threads. */
    public static String describe() {
        Engine engine = Engine.getInstance();
        return engine.getEngineName() + " " + engine.getVersion() + " on " + choose()
                + ", threads=" + threads() + ", interop="
                + System.getProperty(INTEROP_THREADS_PROPERTY, "default");
    }
}
