package dev.denoise.sampler;

import dev.denoise.diffusion.Denoiser;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model version ready to serve. Batches hold it while they run; when the registry retires it
 * (a bounded number of versions stay loaded), its native memory is freed once the last batch
 * using it lets go, so a swap never pulls weights from under a running batch.
 */
public final class LoadedModel {
    private final String model;
    private final int version;
    private final Denoiser denoiser;
    /** One count for the registry's reference, one per batch in flight. */
    private final AtomicInteger references = new AtomicInteger(1);

    LoadedModel(String model, int version, Denoiser denoiser) {
        this.model = model;
        this.version = version;
        this.denoiser = denoiser;
    }

    public String model() {
        return model;
    }

    public int version() {
        return version;
    }

    public Denoiser denoiser() {
        return denoiser;
    }

    /** Takes a reference for a batch; false when the version was already freed. */
    boolean acquire() {
        while (true) {
            int current = references.get();
            if (current == 0) {
                return false;
            }
            if (references.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Gives a reference back; the last one frees the weights. */
    void release() {
        if (references.decrementAndGet() == 0) {
            denoiser.close();
        }
    }

    @Override
    public String toString() {
        return model + " v" + version;
    }
}
