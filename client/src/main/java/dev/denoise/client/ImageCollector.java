package dev.denoise.client;

import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleFailure;
import dev.denoise.schemas.SampleRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Waits for the images of some requests: each seed ends with its image or a failure record. A
 * failure ends the wait once the seeds it does not cover have come (a deadline fails only the
 * seeds not yet started); a timeout ends it with an error that says how many came.
 */
public final class ImageCollector {

    /** Told of each distinct image of the requests as it arrives. */
    public interface Listener {
        void image(GeneratedImage image, int received, int expected) throws IOException;
    }

    private ImageCollector() {
    }

    /** The images of {@code requests} in request-id, then index order. */
    public static List<GeneratedImage> await(ResultStream results, List<SampleRequest> requests, Duration timeout,
                                             Listener listener) throws IOException {
        Map<String, Integer> seedsOf = new HashMap<>();
        requests.forEach(r -> seedsOf.put(r.getRequestId(), r.getSeeds().size()));
        Map<String, GeneratedImage> images = new TreeMap<>();
        Set<String> failedSeeds = new HashSet<>();
        List<String> failures = new ArrayList<>();
        int expected = requests.stream().mapToInt(r -> r.getSeeds().size()).sum();
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (images.size() + failedSeeds.size() < expected && System.currentTimeMillis() < deadline) {
            for (GeneratedImage image : results.pollImages(Duration.ofMillis(200))) {
                if (seedsOf.containsKey(image.getRequestId())
                        && images.putIfAbsent(key(image.getRequestId(), image.getIndex()), image) == null) {
                    listener.image(image, images.size(), expected);
                }
            }
            for (SampleFailure failure : results.pollFailures()) {
                Integer seeds = failure.getRequestId() == null ? null : seedsOf.get(failure.getRequestId());
                if (seeds != null) {
                    failures.add(failure.getReason() + ": " + failure.getMessage());
                    List<Integer> covered = failure.getSeedIndexes().isEmpty()
                            ? IntStream.range(0, seeds).boxed().toList() : failure.getSeedIndexes();
                    covered.forEach(index -> failedSeeds.add(key(failure.getRequestId(), index)));
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new RequestFailedException("request failed: " + String.join("; ", failures) + " (" + images.size()
                    + " of " + expected + " images arrived)", images.size());
        }
        if (images.size() < expected) {
            throw new RequestFailedException("only " + images.size() + " of " + expected + " images arrived within "
                    + timeout.toSeconds() + " s (is `denoise serve` running?)", images.size());
        }
        return new ArrayList<>(images.values());
    }

    private static String key(String requestId, int index) {
        return requestId + "#" + String.format(Locale.ROOT, "%09d", index);
    }

    /** The wait ended without every image: some seeds failed, or time ran out. */
    public static final class RequestFailedException extends IllegalStateException {
        private final int imagesReceived;

        RequestFailedException(String message, int imagesReceived) {
            super(message);
            this.imagesReceived = imagesReceived;
        }

        public int imagesReceived() {
            return imagesReceived;
        }
    }
}
