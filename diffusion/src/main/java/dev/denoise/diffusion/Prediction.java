package dev.denoise.diffusion;

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

    private Prediction() {
    }

    /**
     * The estimates at {@code timestep} from the network's v for image {@code x}: the clean image
     * x̂₀ = α·x − σ·v clipped to the data range [-1, 1] into {@code x0}, and the noise that x holds
     * given that x̂₀ into {@code noise}.
     */
    static void estimate(float[] x, float[] v, int timestep, float[] x0, float[] noise) {
        double alphaBar = SCHEDULE.alphaBar(timestep);
        float alpha = (float) Math.sqrt(alphaBar);
        float sigma = (float) Math.sqrt(1 - alphaBar);
        for (int p = 0; p < x.length; p++) {
            x0[p] = Math.min(1f, Math.max(-1f, x[p] * alpha - v[p] * sigma));
            // Not σ·x + α·v: where clipping bit (strong guidance pushes x₀ past the data range) the
            // two disagree, and a step built from both would leave the trajectory that x̂₀ describes.
            noise[p] = (x[p] - x0[p] * alpha) / sigma;
        }
    }

    /** DDIM's deterministic move (η = 0) to a timestep of ᾱ {@code alphaBarS}: x_s = α_s·x̂₀ + σ_s·ε̂, into {@code x}. */
    static void ddimMove(float[] x0, float[] noise, double alphaBarS, float[] x) {
        float alphaS = (float) Math.sqrt(alphaBarS);
        float sigmaS = (float) Math.sqrt(1 - alphaBarS);
        for (int p = 0; p < x.length; p++) {
            x[p] = x0[p] * alphaS + noise[p] * sigmaS;
        }
    }

    /** Classifier-free guidance (Ho and Salimans, 2022): v = v_none + scale·(v_label − v_none), into {@code v}. */
    static void guide(float[] outputs, int labelRow, int noneRow, float scale, float[] v) {
        int n = v.length;
        for (int p = 0; p < n; p++) {
            float unconditional = outputs[noneRow * n + p];
            v[p] = unconditional + (outputs[labelRow * n + p] - unconditional) * scale;
        }
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
    static boolean mixes(float scale) {
        return scale != 0f && scale != 1f;
    }
}
