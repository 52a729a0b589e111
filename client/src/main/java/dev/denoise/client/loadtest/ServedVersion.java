package dev.denoise.client.loadtest;

/** A model version that made images in a run, as the images name it, and how many of the run's images it made. */
public record ServedVersion(String model, int version, int images) {

    /** {@code mnist-cond v3}. */
    public String label() {
        return model + " v" + version;
    }
}
