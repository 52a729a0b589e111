package dev.denoise.sampler;

import ai.djl.Device;
import dev.denoise.diffusion.ComputeThread;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.ForwardCheck;
import dev.denoise.diffusion.WeightsPackage;
import dev.denoise.schemas.ModelPromotion;
import dev.denoise.schemas.ModelVersion;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions this instance serves. A new version is decoded, checked (hash,
 * architecture, shapes, a smoke forward pass with finite output) and warmed up on the compute
 * thread between batches, while the caller waits off the processing path; only then does it
 * become its model's latest, atomically.
 * Which version is the latest is {@link LatestVersions}' decision: the newest that passes the
 * quality gate, or the one promoted (`denoise models promote`), so a version the gate holds back
 * is loaded for pinned requests only.
 * Besides the latest, the most recent other versions stay loaded for pinned requests, up to a
 * bound; the latest always is.
 */
public final class ModelRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

    private final Device device;
    private final ComputeThread compute;
    private final int maxLoadedVersions;
    private final WeightsArtifacts artifacts;
    private final Map<String, ConcurrentSkipListMap<Integer, LoadedModel>> models = new ConcurrentHashMap<>();
    /** Per model, the version requests without a pin get; always one of the loaded versions. */
    private final LatestVersions latest;

    /** What became of an installed version: latest (new, or again), or held back by the quality gate (with why). */
    public record Installed(boolean latest, Optional<String> heldBecause) {}

    /** A version the registry refused, and why. */
    public static final class RejectedVersion extends Exception {
        RejectedVersion(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public ModelRegistry(Device device, ComputeThread compute, int maxLoadedVersions, double qualityTolerance) {
        this(device, compute, maxLoadedVersions, qualityTolerance, new WeightsArtifacts(
                Path.of(ServiceSettings.WEIGHTS_CACHE.defaultValue()), ServiceSettings.WEIGHTS_FETCH_TIMEOUT_MS.defaultValue()));
    }

    /** @param artifacts where weights published by reference are fetched and kept */
    ModelRegistry(Device device, ComputeThread compute, int maxLoadedVersions, double qualityTolerance,
                  WeightsArtifacts artifacts) {
        this.artifacts = artifacts;
        this.device = device;
        this.compute = compute;
        this.maxLoadedVersions = maxLoadedVersions;
        this.latest = new LatestVersions(qualityTolerance);
    }

    /**
     * Loads (unless loaded), checks and installs {@code version}: it becomes the latest, unless the
     * quality gate holds it back or a later promotion names another. On refusal the versions
     * already loaded keep serving.
     */
    public Installed install(ModelVersion version) throws RejectedVersion {
        String name = version.getModel();
        int number = version.getVersion();
        ConcurrentSkipListMap<Integer, LoadedModel> versions = models.computeIfAbsent(name, n -> new ConcurrentSkipListMap<>());
        if (!versions.containsKey(number)) {
            Denoiser denoiser;
            try {
                WeightsPackage weights = weightsOf(version); // a fetch by reference happens here, off the compute thread
                denoiser = compute.call(() -> loadChecked(weights));
            } catch (RuntimeException e) {
                throw new RejectedVersion(name + " v" + number + " refused: " + e.getMessage(), e);
            }
            versions.put(number, new LoadedModel(name, number, denoiser));
        }
        Optional<String> held = latest.published(version);
        boolean isLatest = Integer.valueOf(number).equals(latest.of(name));
        if (held.isPresent()) {
            LOG.warn("{}", held.get());
        } else if (isLatest) {
            LOG.info("Serving {} v{} (sha256 {})", name, number, version.getWeightsSha256());
        }
        unloadBeyondBound(name, versions, number);
        return new Installed(isLatest, held);
    }

    /** Makes a promoted version the latest; the caller has installed it. */
    public void promote(ModelPromotion promotion) {
        latest.promoted(promotion);
        LOG.info("{} v{} promoted; the latest is v{}", promotion.getModel(), promotion.getVersion(),
                latest.of(promotion.getModel()));
    }

    /**
     * Why a request pinned to {@code version}, which is not loaded, is refused: a published version
     * beyond the bound is not loaded again for one request (a request must not evict what others
     * are served with); promoting it makes it the latest, which is always loaded.
     */
    public String notLoaded(String model, int version) {
        Set<Integer> loaded = loadedVersions(model);
        return latest.isPublished(model, version)
                ? model + " v" + version + " is published but not loaded: a sampler keeps the latest version and the "
                        + "newest others, " + maxLoadedVersions + " in all (DENOISE_MAX_LOADED_VERSIONS); loaded: " + loaded
                        + "; `denoise models promote --model " + model + " --model-version " + version + "` makes it the latest"
                : "Model " + model + " has no version " + version + "; loaded: " + loaded;
    }

    /** Unloads the lowest versions beyond the bound, never the latest nor the one just installed. */
    private void unloadBeyondBound(String name, ConcurrentSkipListMap<Integer, LoadedModel> versions, int installed) {
        while (versions.size() > maxLoadedVersions) {
            Integer serving = latest.of(name);
            Optional<Integer> lowest = versions.keySet().stream()
                    .filter(v -> v != installed && !v.equals(serving)).findFirst();
            if (lowest.isEmpty()) {
                return;
            }
            LoadedModel unloaded = versions.remove(lowest.get());
            LOG.info("Unloading {} (keeping {} versions)", unloaded, maxLoadedVersions);
            unloaded.release();
        }
    }

    /**
     * The version a batch should run on, held for the batch: the pinned one, or the latest when
     * {@code pinnedVersion} is 0. Release it with {@link #release} when the batch is done.
     */
    public Optional<LoadedModel> acquire(String model, int pinnedVersion) {
        ConcurrentSkipListMap<Integer, LoadedModel> versions = models.get(model);
        while (versions != null) {
            Integer wanted = pinnedVersion == 0 ? latest.of(model) : Integer.valueOf(pinnedVersion);
            LoadedModel candidate = wanted == null ? null : versions.get(wanted);
            if (candidate == null) {
                if (pinnedVersion != 0 || latest.of(model) == null || latest.of(model).equals(wanted)) {
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
        return latest.of(model) != null;
    }

    public boolean isEmpty() {
        return latest.isEmpty();
    }

    /** The version each model serves to requests without a pin, for readiness and metrics. */
    public Map<String, Integer> latestVersions() {
        return latest.all();
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
            ForwardCheck.run(denoiser);
            return denoiser;
        } catch (RuntimeException e) {
            denoiser.close();
            throw e;
        }
    }

    /** The version's weights: inline, or fetched from its URI and checked against its hash. */
    private WeightsPackage weightsOf(ModelVersion version) {
        byte[] weights;
        if (version.getWeightsUri() != null) {
            weights = artifacts.fetch(version.getWeightsUri(), version.getWeightsSha256());
        } else {
            ByteBuffer buffer = version.getWeights().duplicate();
            weights = new byte[buffer.remaining()];
            buffer.get(weights);
        }
        return new WeightsPackage(version.getArchitecture(), version.getHyperParameters(), weights,
                version.getWeightsSha256());
    }
}
