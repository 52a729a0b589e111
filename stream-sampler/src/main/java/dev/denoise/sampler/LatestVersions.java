package dev.denoise.sampler;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which version of each model unpinned requests get, decided from the announcements on the
 * model-versions topic in order: a new version becomes the latest unless the {@link QualityGate}
 * holds it back; a version announced again (`denoise models promote`) becomes the latest, not
 * judged. The sampler's registry and `models list` both decide with this class, so they agree.
 * Announced from one thread; read from any.
 */
public final class LatestVersions {
    private final QualityGate gate;
    private final Map<String, Integer> latest = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Double>> latestMetrics = new ConcurrentHashMap<>();
    private final Map<String, Set<Integer>> announced = new ConcurrentHashMap<>();

    public LatestVersions(double qualityTolerance) {
        this.gate = new QualityGate(qualityTolerance);
    }

    /** Takes the announcement of {@code version}; why it was held back, or empty when it is the latest now. */
    public Optional<String> announce(String model, int version, Map<String, Double> metrics) {
        boolean promotion = !announced.computeIfAbsent(model, m -> ConcurrentHashMap.newKeySet()).add(version);
        Integer serving = latest.get(model);
        Optional<String> held = promotion || serving == null || serving == version ? Optional.empty()
                : gate.holdBack(model, version, metrics, serving, latestMetrics.getOrDefault(model, Map.of()));
        if (held.isEmpty()) {
            latest.put(model, version);
            latestMetrics.put(model, Map.copyOf(metrics));
        }
        return held;
    }

    /** The latest version of {@code model}, or null if it has none. */
    public Integer of(String model) {
        return latest.get(model);
    }

    public boolean isEmpty() {
        return latest.isEmpty();
    }

    public Map<String, Integer> all() {
        return new TreeMap<>(latest);
    }

    void clear() {
        latest.clear();
    }
}
