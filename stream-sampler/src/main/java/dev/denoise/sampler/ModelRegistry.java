package dev.denoise.sampler;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.denoise.diffusion.ComputeThread;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.WeightsPackage;
import dev.denoise.schemas.ModelVersion;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions this instance serves. A new version is decoded, checked (hash,
 * architecture, shapes, a smoke forward pass with finite output) and warmed up on the compute
 * thread between batches, while the caller waits off the processing path; only then does it
 * become its model's latest, atomically.
 * The latest is the version announced last on the model-versions topic, so re-publishing an
 * older version (`denoise models promote`) rolls back to it. Besides the latest, the most recent
 * other versions stay loaded for pinned requests, up to a bound.
 */
public final class ModelRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

    private final Device device;
    private final ComputeThread compute;
    private final int maxLoadedVersions;
    private final Map<String, ConcurrentSkipListMap<Integer, LoadedModel>> models = new ConcurrentHashMap<>();
    /** Per model, the version requests without a pin get; always one of the loaded versions. */
    private final Map<String, Integer> latest = new ConcurrentHashMap<>();

    /** A version the registry refused, and why. */
    public static final class RejectedVersion extends Exception {
        RejectedVersion(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public ModelRegistry(Device device, ComputeThread compute, int maxLoadedVersions) {
        this.device = device;
        this.compute = compute;
        this.maxLoadedVersions = maxLoadedVersions;
    }

    /**
     * Loads, checks and installs {@code version}; on refusal the versions already loaded keep serving.
     *
     * @return false if this version was already loaded (then it only becomes the latest again)
     */
    public boolean install(ModelVersion version) throws RejectedVersion {
        String name = version.getModel();
        ConcurrentSkipListMap<Integer, LoadedModel> versions = models.computeIfAbsent(name, n -> new ConcurrentSkipListMap<>());
        if (versions.containsKey(version.getVersion())) {
            Integer previous = latest.put(name, version.getVersion());
            if (previous != null && !previous.equals(version.getVersion())) {
                LOG.info("Serving {} v{} again (was v{})", name, version.getVersion(), previous);
            }
            return false;
        }
        Denoiser denoiser;
        try {
            denoiser = compute.call(() -> loadChecked(weightsOf(version)));
        } catch (RuntimeException e) {
            throw new RejectedVersion(name + " v" + version.getVersion() + " refused: " + e.getMessage(), e);
        }
        versions.put(version.getVersion(), new LoadedModel(name, version.getVersion(), denoiser));
        latest.put(name, version.getVersion());
        LOG.info("Serving {} v{} (sha256 {})", name, version.getVersion(), version.getWeightsSha256());
        while (versions.size() > maxLoadedVersions) {
            int lowest = versions.keySet().stream().filter(v -> v != version.getVersion()).findFirst().orElseThrow();
            LoadedModel unloaded = versions.remove(lowest);
            LOG.info("Unloading {} (keeping {} versions)", unloaded, maxLoadedVersions);
            unloaded.release();
        }
        return true;
    }

    /**
     * The version a batch should run on, held for the batch: the pinned one, or the latest when
     * {@code pinnedVersion} is 0. Release it with {@link #release} when the batch is done.
     */
    public Optional<LoadedModel> acquire(String model, int pinnedVersion) {
        ConcurrentSkipListMap<Integer, LoadedModel> versions = models.get(model);
        while (versions != null) {
            Integer wanted = pinnedVersion == 0 ? latest.get(model) : Integer.valueOf(pinnedVersion);
            LoadedModel candidate = wanted == null ? null : versions.get(wanted);
            if (candidate == null) {
                if (pinnedVersion != 0 || !latest.containsKey(model) || latest.get(model).equals(wanted)) {
                    return Optional.empty();
                }
                continue; // the latest moved on while we looked: look again
            }
            if (candidate.acquire()) {
                return Optional.of(candidate);
            }
            // unloaded between lookup and acquire: look again
        }
        return Optional.empty();
    }

    public void release(LoadedModel model) {
        model.release();
    }

    public boolean knows(String model) {
        return latest.containsKey(model);
    }

    public boolean isEmpty() {
        return latest.isEmpty();
    }

    /** The version each model serves to requests without a pin, for readiness and metrics. */
    public Map<String, Integer> latestVersions() {
        return new TreeMap<>(latest);
    }

    public Set<Integer> loadedVersions(String model) {
        ConcurrentSkipListMap<Integer, LoadedModel> versions = models.get(model);
        return versions == null ? Set.of() : Set.copyOf(versions.keySet());
    }

    @Override
    public void close() {
        latest.clear();
        models.values().forEach(versions -> {
            versions.values().forEach(LoadedModel::release);
            versions.clear();
        });
    }

    private Denoiser loadChecked(WeightsPackage weights) {
        Denoiser denoiser = Denoiser.load(weights, device);
        try {
            smokeTest(denoiser);
            return denoiser;
        } catch (RuntimeException e) {
            denoiser.close();
            throw e;
        }
    }

    /** A forward pass on noise must give finite numbers; it also warms the engine up for this version. */
    private static void smokeTest(Denoiser denoiser) {
        try (NDManager scope = denoiser.manager().newSubManager()) {
            NDArray noise = scope.randomUniform(0f, 1f, denoiser.architecture().inputShape(8));
            NDArray prediction = denoiser.predict(denoiser.architecture().exampleInputs(noise), false);
            float[] values = prediction.toFloatArray();
            for (float v : values) {
                if (!Float.isFinite(v)) {
                    throw new IllegalStateException("its smoke forward pass gave non-finite output (" + v + ")");
                }
            }
        }
    }

    private static WeightsPackage weightsOf(ModelVersion version) {
        ByteBuffer buffer = version.getWeights().duplicate();
        byte[] weights = new byte[buffer.remaining()];
        buffer.get(weights);
        return new WeightsPackage(version.getArchitecture(), version.getHyperParameters(), weights,
                version.getWeightsSha256());
    }
}
