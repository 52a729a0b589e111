package dev.denoise.trainer;

/** A data set that cannot be used: missing, malformed or inconsistent files. */
public class InvalidDatasetException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidDatasetException(String message) {
        super(message);
    }

    public InvalidDatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
