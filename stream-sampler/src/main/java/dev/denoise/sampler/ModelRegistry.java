package dev.denoise.sampler;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
 * architecture, shapes, a smoke forward pass with finite output) and warmed up by the caller's
 * thread, off the processing path; only then does it become its model's latest, atomically.
 * Every model keeps its newest versions loaded, up to a bound.
 */
public final class ModelRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

    private final Device device;
    private final int maxLoadedVersions;
    private final Map<String, ConcurrentSkipListMap<Integer, LoadedModel>> models = new ConcurrentHashMap<>();

    /** A version the registry refused, and why. */
    public static final class RejectedVersion extends Exception {
        RejectedVersion(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public ModelRegistry(Device device, int maxLoadedVersions) {
        this.device = device;
        this.maxLoadedVersions = maxLoadedVersions;
    }

    /**
     * Loads, checks and installs {@code version}; on refusal the versions already loaded keep serving.
     *
     * @return false if this exact version was already loaded (a replayed record)
     */
    public boolean install(ModelVersion version) throws RejectedVersion {
        String name = version.getModel();
        ConcurrentSkipListMap<Integer, LoadedModel> versions = models.computeIfAbsent(name, n -> new ConcurrentSkipListMap<>());
        if (versions.containsKey(version.getVersion())) {
            return false;
        }
        Denoiser denoiser;
        try {
            denoiser = Denoiser.load(weightsOf(version), device);
        } catch (RuntimeException e) {
            throw new RejectedVersion(name + " v" + version.getVersion() + " refused: " + e.getMessage(), e);
        }
        try {
            smokeTest(denoiser);
        } catch (RuntimeException e) {
            denoiser.close();
            throw new RejectedVersion(name + " v" + version.getVersion() + " refused: " + e.getMessage(), e);
        }
        versions.put(version.getVersion(), new LoadedModel(name, version.getVersion(), denoiser));
        LOG.info("Serving {} v{} (sha256 {})", name, version.getVersion(), version.getWeightsSha256());
        while (versions.size() > maxLoadedVersions) {
            Map.Entry<Integer, LoadedModel> oldest = versions.pollFirstEntry();
            LOG.info("Unloading {} (keeping {} versions)", oldest.getValue(), maxLoadedVersions);
            oldest.getValue().release();
        }
        return true;
    }

    /**
     * The version a batch should run on, held for the batch: the pinned one, or the newest when
     * {@code pinnedVersion} is 0. Release it with {@link #release} when the batch is done.
     */
    public Optional<LoadedModel> acquire(String model, int pinnedVersion) {
        ConcurrentSkipListMap<Integer, LoadedModel> versions = models.get(model);
        while (versions != null) {
            Map.Entry<Integer, LoadedModel> entry = pinnedVersion == 0 ? versions.lastEntry()
                    : Optional.ofNullable(versions.get(pinnedVersion)).map(m -> Map.entry(pinnedVersion, m)).orElse(null);
            if (entry == null) {
                return Optional.empty();
            }
            if (entry.getValue().acquire()) {
                return Optional.of(entry.getValue());
            }
            // retired between lookup and acquire: look again
        }
        return Optional.empty();
    }

    public void release(LoadedModel model) {
        model.release();
    }

    public boolean knows(String model) {
        ConcurrentSkipListMap<Integer, LoadedModel> versions = models.get(model);
        return versions != null && !versions.isEmpty();
    }

    public boolean isEmpty() {
        return models.values().stream().allMatch(Map::isEmpty);
    }

    /** The newest loaded version of each model, for readiness and metrics. */
    public Map<String, Integer> latestVersions() {
        Map<String, Integer> latest = new TreeMap<>();
        models.forEach((name, versions) -> {
            if (!versions.isEmpty()) {
                latest.put(name, versions.lastKey());
            }
        });
        return latest;
    }

    public Set<Integer> loadedVersions(String model) {
        ConcurrentSkipListMap<Integer, LoadedModel> versions = models.get(model);
        return versions == null ? Set.of() : Set.copyOf(versions.keySet());
    }

    @Override
    public void close() {
        models.values().forEach(versions -> {
            versions.values().forEach(LoadedModel::release);
            versions.clear();
        });
    }

    /** A forward pass on noise must give finite numbers; it also warms the engine up for this version. */
    private static void smokeTest(Denoiser denoiser) {
        try (NDManager scope = denoiser.manager().newSubManager()) {
            NDArray noise = scope.randomUniform(0f, 1f, denoiser.architecture().inputShape(8));
            NDArray prediction = denoiser.predict(noise);
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
