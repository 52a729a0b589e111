package dev.denoise.sampler;

import dev.denoise.schemas.ModelCatalogue;
import dev.denoise.schemas.ModelPromotion;
import dev.denoise.schemas.ModelVersion;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which version of each model unpinned requests get, decided from the versions published and the
 * model's newest promotion: from the promoted version (or, with none, the first version), each
 * version created later becomes the latest in turn unless the {@link QualityGate} holds it back
 * against the latest before it. Only the newest promotion matters, since a promotion is not
 * judged, so the decision is the same whatever order the two topics are read in and after any
 * compaction. The sampler's registry and `models list` both decide with this class, so they agree.
 * Told from one thread; read from any.
 */
public final class LatestVersions {
    private record Published(int version, Instant createdAt, Map<String, Double> metrics) {}

    /** A model's latest version and the versions held back on the way to it, with why. */
    private record Decision(Integer latest, Map<Integer, String> held) {}

    private final QualityGate gate;
    private final Map<String, Map<Integer, Published>> published = new HashMap<>();
    private final Map<String, ModelPromotion> promotions = new HashMap<>();
    private final Map<String, Decision> decisions = new ConcurrentHashMap<>();

    public LatestVersions(double qualityTolerance) {
        this.gate = new QualityGate(qualityTolerance);
    }

    /** The decisions for everything in {@code catalogue}. */
    public static LatestVersions of(ModelCatalogue catalogue, double qualityTolerance) {
        LatestVersions latest = new LatestVersions(qualityTolerance);
        catalogue.versions().forEach(latest::published);
        catalogue.promotions().forEach(latest::promoted);
        return latest;
    }

    /** Takes a published version; why it is held back, or empty when it is not. */
    public synchronized Optional<String> published(ModelVersion version) {
        published.computeIfAbsent(version.getModel(), m -> new HashMap<>()).put(version.getVersion(),
                new Published(version.getVersion(), version.getCreatedAt(), version.getTraining().getMetrics()));
        decide(version.getModel());
        return heldBecause(version.getModel(), version.getVersion());
    }

    /** Takes a promotion; it counts once its version has been published. */
    public synchronized void promoted(ModelPromotion promotion) {
        promotions.merge(promotion.getModel(), promotion,
                (a, b) -> b.getPromotedAt().isBefore(a.getPromotedAt()) ? a : b);
        decide(promotion.getModel());
    }

    /** The latest version of {@code model}, or null if it has none. */
    public Integer of(String model) {
        Decision decision = decisions.get(model);
        return decision == null ? null : decision.latest();
    }

    /** Why {@code version} of {@code model} was held back, if it was. */
    public Optional<String> heldBecause(String model, int version) {
        Decision decision = decisions.get(model);
        return Optional.ofNullable(decision == null ? null : decision.held().get(version));
    }

    /** Whether {@code version} of {@code model} has been published, loaded or not. */
    public synchronized boolean isPublished(String model, int version) {
        return published.getOrDefault(model, Map.of()).containsKey(version);
    }

    public boolean isEmpty() {
        return decisions.isEmpty();
    }

    public Map<String, Integer> all() {
        Map<String, Integer> all = new TreeMap<>();
        decisions.forEach((model, decision) -> all.put(model, decision.latest()));
        return all;
    }

    void clear() {
        decisions.clear();
    }

    private void decide(String model) {
        Map<Integer, Published> versions = published.getOrDefault(model, Map.of());
        ModelPromotion promotion = promotions.get(model);
        Published promoted = promotion == null ? null : versions.get(promotion.getVersion());
        List<Published> inOrder = versions.values().stream()
                .filter(v -> promoted == null || v.createdAt().isAfter(promotion.getPromotedAt()))
                .sorted(Comparator.comparing(Published::createdAt).thenComparing(Published::version))
                .toList();
        Published latest = promoted;
        Map<Integer, String> held = new TreeMap<>();
        for (Published candidate : inOrder) {
            Optional<String> why = latest == null ? Optional.empty()
                    : gate.holdBack(model, candidate.version(), candidate.metrics(), latest.version(), latest.metrics());
            if (why.isPresent()) {
                held.put(candidate.version(), why.get());
            } else {
                latest = candidate;
            }
        }
        if (latest != null) {
            decisions.put(model, new Decision(latest.version(), held));
        }
    }
}
