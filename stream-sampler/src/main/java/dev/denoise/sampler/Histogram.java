package dev.denoise.sampler;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/** A Prometheus histogram: cumulative buckets by upper bound, a sum and a count, rendered in the text format. */
final class Histogram {
    private final double[] bounds;
    private final AtomicLongArray buckets;
    private final DoubleAdder sum = new DoubleAdder();

    Histogram(double... bounds) {
        this.bounds = bounds.clone();
        this.buckets = new AtomicLongArray(bounds.length + 1);
    }

    void observe(double value) {
        int bucket = 0;
        while (bucket < bounds.length && value > bounds[bucket]) {
            bucket++;
        }
        buckets.incrementAndGet(bucket);
        sum.add(value);
    }

    /** The bucket, sum and count lines of metric {@code name}, with {@code labels} (say {@code priority="2"}, or empty). */
    void render(StringBuilder out, String name, String labels) {
        String separator = labels.isEmpty() ? "" : labels + ",";
        long cumulative = 0;
        for (int i = 0; i < bounds.length; i++) {
            cumulative += buckets.get(i);
            out.append(name).append("_bucket{").append(separator).append("le=\"").append(bound(bounds[i])).append("\"} ")
                    .append(cumulative).append('\n');
        }
        cumulative += buckets.get(bounds.length);
        String braces = labels.isEmpty() ? "" : "{" + labels + "}";
        out.append(name).append("_bucket{").append(separator).append("le=\"+Inf\"} ").append(cumulative).append('\n')
                .append(name).append("_sum").append(braces).append(' ').append(bound(sum.sum())).append('\n')
                .append(name).append("_count").append(braces).append(' ').append(cumulative).append('\n');
    }

    private static String bound(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value)
                : String.format(Locale.ROOT, "%.6g", value);
    }
}
