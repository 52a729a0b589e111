package dev.denoise.diffusion;

/** Weights refused because they do not belong to the architecture or were corrupted. */
public class WeightsMismatchException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public WeightsMismatchException(String message) {
        super(message);
    }

    public WeightsMismatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
