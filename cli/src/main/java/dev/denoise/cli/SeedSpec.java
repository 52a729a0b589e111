package dev.denoise.cli;

import java.util.ArrayList;
import java.util.List;

/** Seeds as a person types them: {@code 0..63}, {@code 1,5,9}, or both, {@code 0..3,10}. */
final class SeedSpec {
    private SeedSpec() {}

    static List<Long> parse(String spec) {
        List<Long> seeds = new ArrayList<>();
        for (String part : spec.split(",")) {
            String item = part.trim();
            try {
                int dots = item.indexOf("..");
                if (dots < 0) {
                    seeds.add(Long.parseLong(item));
                    continue;
                }
                long from = Long.parseLong(item.substring(0, dots).trim());
                long to = Long.parseLong(item.substring(dots + 2).trim());
                if (to < from) {
                    throw new IllegalArgumentException("Seed range '" + item + "' runs backwards");
                }
                if (to - from >= 1_000_000) {
                    throw new IllegalArgumentException("Seed range '" + item + "' has more than a million seeds");
                }
                for (long seed = from; seed <= to; seed++) {
                    seeds.add(seed);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Malformed seeds '" + item + "': expected a number, a range A..B, "
                        + "or a comma-separated list of them, e.g. 0..63 or 1,5,9");
            }
        }
        return seeds;
    }
}
