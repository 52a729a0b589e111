package dev.denoise.client.loadtest;

import dev.denoise.schemas.GeneratedImage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one run has received so far, overall, per class of the mix and per model version that made
 * the images; read on the consuming thread only.
 */
final class LoadTally {
    private static final long HIGHEST_MS = 3_600_000L;

    /** Latencies and failed seeds of a set of requests. */
    private static final class Counts {
        final Histogram latency = new Histogram(HIGHEST_MS, 3);
        int failedSeeds;
    }

    private final Mix mix;
    private final long startMs;
    private final Counts all = new Counts();
    private final List<Counts> byClass = new ArrayList<>();
    private final Map<Long, Histogram> perSecond = new TreeMap<>();
    private final Set<String> seen = new HashSet<>();
    private final Map<String, Integer> failures = new TreeMap<>();
    /** Images by model name, then version number, as the images name them. */
    private final Map<String, Map<Integer, Integer>> servedBy = new TreeMap<>();
    private int duplicates;
    private int degraded;

    LoadTally(Mix mix, long startMs) {
        this.mix = mix;
        this.startMs = startMs;
        mix.classes().forEach(c -> byClass.add(new Counts()));
    }

    /** {@code image}, received at {@code nowMs}, of {@code request}; its request id and index tell a redelivered one apart. */
    void image(LoadTest.Sent request, GeneratedImage image, long nowMs) {
        if (!seen.add(image.getRequestId() + "/" + image.getIndex())) {
            duplicates++;
            return;
        }
        servedBy.computeIfAbsent(image.getModel(), m -> new TreeMap<>()).merge(image.getModelVersion(), 1, Integer::sum);
        if (image.getSteps() < mix.classes().get(request.classIndex()).steps()) {
            degraded++;
        }
        long ms = Math.max(0, nowMs - request.atMs());
        all.latency.recordValue(ms);
        byClass.get(request.classIndex()).latency.recordValue(ms);
        perSecond.computeIfAbsent((nowMs - startMs) / 1000, s -> new Histogram(HIGHEST_MS, 2)).recordValue(ms);
    }

    /** A failure record for {@code request}, covering {@code seeds} of its seeds (0: all of them): those will not come. */
    void failure(LoadTest.Sent request, String reason, int seeds) {
        int failed = seeds == 0 ? request.seeds() : seeds;
        failures.merge(reason, 1, Integer::sum);
        all.failedSeeds += failed;
        byClass.get(request.classIndex()).failedSeeds += failed;
    }

    int received() {
        return seen.size();
    }

    /** Seeds accounted for: received or failed. */
    int done() {
        return seen.size() + all.failedSeeds;
    }

    /** @param sent every request the run produced */
    LoadTest.Result result(double requestRate, int totalSeeds, Collection<LoadTest.Sent> sent, long endMs) {
        double seconds = Math.max(1, endMs - startMs) / 1000.0;
        List<long[]> timeline = new ArrayList<>();
        perSecond.forEach((second, h) -> timeline.add(new long[] {second, h.getTotalCount(), h.getValueAtPercentile(50)}));
        List<LoadTest.ClassResult> classes = new ArrayList<>();
        for (int i = 0; i < byClass.size(); i++) {
            int index = i;
            int requests = (int) sent.stream().filter(s -> s.classIndex() == index).count();
            int seeds = sent.stream().filter(s -> s.classIndex() == index).mapToInt(LoadTest.Sent::seeds).sum();
            Counts counts = byClass.get(i);
            int received = (int) counts.latency.getTotalCount();
            classes.add(new LoadTest.ClassResult(mix.classes().get(i), requests, seeds, received,
                    seeds - received - counts.failedSeeds, received / seconds, Latency.of(counts.latency)));
        }
        return new LoadTest.Result(requestRate, totalSeeds, received(), totalSeeds - received() - all.failedSeeds, duplicates,
                failures, received() / seconds, Latency.of(all.latency), timeline, classes, servedBy(), degraded);
    }

    /** Every model version that made an image, by model name and version. */
    private List<ServedVersion> servedBy() {
        List<ServedVersion> served = new ArrayList<>();
        servedBy.forEach((model, versions) -> versions.forEach((version, images) -> served.add(new ServedVersion(model, version, images))));
        return served;
    }
}
