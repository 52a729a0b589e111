package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.Arrays;

/**
 * What a sampler steps with: the clean-image and noise estimates of a v-predicting, class-
 * conditioned network at one timestep, with classifier-free guidance (Ho and Salimans, 2022).
 *
 * <p>Why v (Salimans and Ho, 2022) and not ε: with x_t = α·x₀ + σ·ε (α = √ᾱ, σ = √(1−ᾱ)) the
 * network predicts v = α·ε − σ·x₀, so x₀ = α·x_t − σ·v and ε = σ·x_t + α·v need no division:
 * an ε-network's x₀ = (x_t − σ·ε)/α blows up its errors at the noisiest steps, which are the
 * steps a few-step sampler spends the most of its budget on.
 */
public final class Prediction {
    /** Timesteps of the cosine schedule the conditioned models are trained and sampled on. */
    public static final int SCHEDULE_LENGTH = 1000;
    public static final NoiseSchedule SCHEDULE = NoiseSchedule.cosine(SCHEDULE_LENGTH);
    /**
     * The timesteps where a guidance scale above 1 applies, the middle of the schedule (ᾱ from
     * about 0.5 down to 0.15): guidance in a limited interval (Kynkäänniemi et al., 2024). At the
     * noisiest steps guidance narrows the digits' variety, at the cleanest it barely moves them;
     * elsewhere the conditional prediction alone costs one pass instead of two.
     */
    public static final int GUIDED_FROM = SCHEDULE_LENGTH / 2 - 1;
    public static final int GUIDED_TO = 3 * SCHEDULE_LENGTH / 4 - 1;

    /** Estimates of the clean image (clipped to the data range [-1, 1]) and of the noise. */
    public record Estimate(NDArray x0, NDArray noise) {}

    /** A network's output for noisy images at one timestep and the labels asked for. */
    @FunctionalInterface
    public interface Network {
        NDArray v(NDArray x, int timestep, int[] labels);
    }

    private Prediction() {
    }

    /** The denoiser's network: {@code x}'s timestep and labels as its extra inputs. */
    public static Network of(Denoiser denoiser) {
        return (x, timestep, labels) -> {
            int[] timesteps = new int[labels.length];
            Arrays.fill(timesteps, timestep);
            return denoiser.predict(CondUNet.inputs(x, timesteps, labels), false);
        };
    }

    /**
     * The estimates at {@code timestep} with guidance {@code scale} there (see {@link #scaleAt}):
     * v = v_none + scale·(v_label − v_none). Scale 0 is the unconditional model and 1 the
     * conditional one, each in one pass; any other scale runs both in one batch of twice the size.
     */
    public static Estimate estimate(Network network, NDArray x, int timestep, int[] labels, float scale) {
        NDArray v = guidedV(network, x, timestep, labels, scaleAt(scale, timestep));
        double alphaBar = SCHEDULE.alphaBar(timestep);
        float alpha = (float) Math.sqrt(alphaBar);
        float sigma = (float) Math.sqrt(1 - alphaBar);
        NDArray x0 = x.mul(alpha).sub(v.mul(sigma)).clip(-1f, 1f);
        // The noise that x holds given the clipped x₀, not σ·x + α·v: where clipping bit (strong
        // guidance pushes x₀ past the data range) the two disagree, and a step built from both
        // would leave the trajectory that the clean-image estimate describes.
        NDArray noise = x.sub(x0.mul(alpha)).div(sigma);
        return new Estimate(x0, noise);
    }

    /**
     * The scale that applies at {@code timestep}: a scale above 1 only from {@link #GUIDED_FROM}
     * to {@link #GUIDED_TO}, the conditional model (1) elsewhere; a scale up to 1 everywhere.
     */
    public static float scaleAt(float scale, int timestep) {
        return scale > 1f && (timestep < GUIDED_FROM || timestep > GUIDED_TO) ? 1f : scale;
    }

    /** Network passes per image of a {@code steps}-step sample at {@code scale}: two wherever guidance applies. */
    public static int passes(int steps, float scale) {
        int passes = 0;
        for (int t : SCHEDULE.timesteps(steps)) {
            passes += mixes(scaleAt(scale, t)) ? 2 : 1;
        }
        return passes;
    }

    /** Whether {@code scale} mixes the conditional and unconditional outputs (two passes); 0 and 1 take one each. */
    private static boolean mixes(float scale) {
        return scale != 0f && scale != 1f;
    }

    private static NDArray guidedV(Network network, NDArray x, int timestep, int[] labels, float scale) {
        int n = labels.length;
        int[] none = new int[n];
        Arrays.fill(none, CondUNet.NO_CLASS);
        boolean unlabelled = Arrays.equals(labels, none);
        if (scale == 0f || unlabelled) {
            return network.v(x, timestep, none);
        }
        if (!mixes(scale)) {
            return network.v(x, timestep, labels);
        }
        int[] both = Arrays.copyOf(labels, 2 * n);
        System.arraycopy(none, 0, both, n, n);
        NDArray v = network.v(NDArrays.concat(new NDList(x, x), 0), timestep, both);
        NDArray conditional = v.get("0:" + n);
        NDArray unconditional = v.get(n + ":");
        return unconditional.add(conditional.sub(unconditional).mul(scale));
    }
}
