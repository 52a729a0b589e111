package dev.denoise.sampler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The in-memory view of the pending store, grouped by what can share a forward pass, like a
 * dynamic batcher: a group runs when it has a full batch, or when its oldest seed has waited the
 * maximum wait.
 */
final class PendingQueue {
    private final Map<PendingSeed.BatchKey, ArrayDeque<PendingSeed>> groups = new LinkedHashMap<>();
    private int size;

    void add(PendingSeed seed) {
        groups.computeIfAbsent(seed.batchKey(), k -> new ArrayDeque<>()).addLast(seed);
        size++;
    }

    int size() {
        return size;
    }

    /**
     * Takes the next batch to run: from the servable group whose oldest seed waited longest, if
     * that group is full or has waited {@code maxWaitMs}.
     */
    Optional<List<PendingSeed>> nextBatch(long nowMs, int maxBatch, long maxWaitMs,
                                          Predicate<PendingSeed.BatchKey> servable) {
        ArrayDeque<PendingSeed> chosen = null;
        for (Map.Entry<PendingSeed.BatchKey, ArrayDeque<PendingSeed>> group : groups.entrySet()) {
            ArrayDeque<PendingSeed> seeds = group.getValue();
            boolean ready = seeds.size() >= maxBatch || nowMs - seeds.peekFirst().acceptedAtMs() >= maxWaitMs;
            if (ready && servable.test(group.getKey())
                    && (chosen == null || seeds.peekFirst().acceptedAtMs() < chosen.peekFirst().acceptedAtMs())) {
                chosen = seeds;
            }
        }
        if (chosen == null) {
            return Optional.empty();
        }
        List<PendingSeed> batch = new ArrayList<>(Math.min(maxBatch, chosen.size()));
        while (batch.size() < maxBatch && !chosen.isEmpty()) {
            batch.add(chosen.pollFirst());
        }
        size -= batch.size();
        groups.values().removeIf(ArrayDeque::isEmpty);
        return Optional.of(batch);
    }

    /** Removes and returns the seeds of unservable groups that have waited longer than {@code limitMs}. */
    List<PendingSeed> takeExpired(long nowMs, long limitMs, Predicate<PendingSeed.BatchKey> servable) {
        List<PendingSeed> expired = new ArrayList<>();
        for (Map.Entry<PendingSeed.BatchKey, ArrayDeque<PendingSeed>> group : groups.entrySet()) {
            if (servable.test(group.getKey())) {
                continue;
            }
            Iterator<PendingSeed> seeds = group.getValue().iterator();
            while (seeds.hasNext()) {
                PendingSeed seed = seeds.next();
                if (nowMs - seed.acceptedAtMs() > limitMs) {
                    expired.add(seed);
                    seeds.remove();
                }
            }
        }
        size -= expired.size();
        groups.values().removeIf(ArrayDeque::isEmpty);
        return expired;
    }
}
