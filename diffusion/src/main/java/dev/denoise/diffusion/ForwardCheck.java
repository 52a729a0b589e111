package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The check a network passes before it serves: one forward pass on a small batch of noise, at
 * a middle timestep, asking for no class and (when class-conditioned) for classes, must give a
 * float32 prediction of its architecture's output shape (the images' own for a TorchScript
 * model) with finite values. For a version loaded from elsewhere it is
 * the proof that the module keeps the contract it was published with; it also warms the engine up.
 */
public final class ForwardCheck {
    private static final int BATCH = 4;

    private ForwardCheck() {
    }

    /** Throws {@link IllegalStateException} saying what did not match. */
    public static void run(Denoiser denoiser) {
        DenoiserArchitecture architecture = denoiser.architecture();
        try (NDManager scope = denoiser.manager().newSubManager()) {
            NDArray noise = scope.randomUniform(-1f, 1f, architecture.inputShape(BATCH));
            Shape expected = architecture.outputShape(BATCH);
            check(noise.getShape(), expected, denoiser.predict(architecture.exampleInputs(noise), false));
            if (architecture.classConditioned()) {
                int[] timesteps = new int[BATCH];
                int[] labels = new int[BATCH];
                for (int i = 0; i < BATCH; i++) {
                    timesteps[i] = i;
                    labels[i] = i % architecture.classes();
                }
                check(noise.getShape(), expected, denoiser.predict(architecture.forwardInputs(noise, timesteps, labels), false));
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalStateException("its forward pass on a batch of " + BATCH + " failed: " + Denoiser.firstLine(e));
        }
    }

    private static void check(Shape input, Shape expected, NDArray prediction) {
        if (!prediction.getShape().equals(expected)) {
            throw new IllegalStateException("its forward pass gave shape " + prediction.getShape() + " for input "
                    + input + "; it must give " + (expected.equals(input) ? "the input's shape" : expected));
        }
        if (prediction.getDataType() != DataType.FLOAT32) {
            throw new IllegalStateException("its forward pass gave " + prediction.getDataType() + "; it must give float32 "
                    + "(a reduced-precision graph casts back to float32 inside the module)");
        }
        for (float v : prediction.toFloatArray()) {
            if (!Float.isFinite(v)) {
                throw new IllegalStateException("its forward pass gave non-finite output (" + v + ")");
            }
        }
    }

}
