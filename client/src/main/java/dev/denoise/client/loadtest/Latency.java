package dev.denoise.client.loadtest;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/** Latency of a set of images in milliseconds: the usual percentiles and the whole distribution the report plots. */
public record Latency(long p50, long p90, long p99, long max, List<Percentile> distribution) {
    /** At {@code percentile} (0 to 100) of the images, latency was at most {@code ms}. */
    record Percentile(double percentile, long ms) {}

    static final Latency NONE = new Latency(0, 0, 0, 0, List.of());

    public Latency {
        distribution = List.copyOf(distribution);
    }

    /** Five points per halving of the distance to 100 %, as HdrHistogram's own percentile output. */
    static Latency of(Histogram histogram) {
        if (histogram.getTotalCount() == 0) {
            return NONE;
        }
        List<Percentile> distribution = new ArrayList<>();
        for (HistogramIterationValue value : histogram.percentiles(5)) {
            distribution.add(new Percentile(value.getPercentileLevelIteratedTo(), value.getValueIteratedTo()));
        }
        return new Latency(histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(90),
                histogram.getValueAtPercentile(99), histogram.getMaxValue(), distribution);
    }
}
