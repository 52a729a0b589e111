package dev.denoise.client.loadtest;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The request classes a load test draws from, each with its share of the requests. */
public record Mix(List<RequestClass> classes) {
    /** Room for floating-point sums of shares written with decimals, such as thirds. */
    static final double SHARE_TOLERANCE = 1e-6;

    /** One kind of request: this many steps and seeds, drawn for this share of the requests. */
    public record RequestClass(int steps, int seedsPerRequest, double share) {
        public String label() {
            return steps + " steps, " + seedsPerRequest + " seeds";
        }
    }

    public Mix {
        classes = List.copyOf(classes);
    }

    /** What {@code --steps} and {@code --batch-per-request} ask for: every request alike. */
    public static Mix single(int steps, int seedsPerRequest) {
        return new Mix(List.of(new RequestClass(steps, seedsPerRequest, 1)));
    }

    /** As {@link #parse} reads it. */
    @Override
    public String toString() {
        return String.join(",", classes.stream().map(c -> c.steps() + ":" + c.seedsPerRequest() + ":"
                + BigDecimal.valueOf(c.share()).stripTrailingZeros().toPlainString()).toList());
    }

    /** Parses {@code STEPS:SEEDS_PER_REQUEST:SHARE,...}, e.g. {@code 8:4:0.8,40:256:0.2}. */
    public static Mix parse(String text) {
        List<RequestClass> classes = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String[] fields = part.trim().split(":", -1);
            if (fields.length != 3) {
                throw new IllegalArgumentException("'" + part + "' is not STEPS:SEEDS_PER_REQUEST:SHARE");
            }
            int steps = positive(fields[0], "steps", part);
            int seeds = positive(fields[1], "seeds per request", part);
            double share;
            try {
                share = Double.parseDouble(fields[2]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + part + "': share '" + fields[2] + "' is not a number");
            }
            if (!(share > 0 && share <= 1)) {
                throw new IllegalArgumentException("'" + part + "': share must be above 0 and at most 1");
            }
            classes.add(new RequestClass(steps, seeds, share));
        }
        double sum = classes.stream().mapToDouble(RequestClass::share).sum();
        if (Math.abs(sum - 1) > SHARE_TOLERANCE) {
            String shown = new BigDecimal(sum).round(new MathContext(9)).stripTrailingZeros().toPlainString(); // 0.9, not 0.9000000000000001
            throw new IllegalArgumentException("the shares add up to " + shown + ", not 1");
        }
        return new Mix(classes);
    }

    private static int positive(String field, String what, String part) {
        try {
            int value = Integer.parseInt(field.trim());
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // the message below says what was expected
        }
        throw new IllegalArgumentException("'" + part + "': " + what + " must be a positive whole number, not '" + field + "'");
    }

    /** The index of the class the next request belongs to; the same random sequence gives the same classes. */
    int draw(SplittableRandom random) {
        double u = random.nextDouble();
        double cumulative = 0;
        for (int i = 0; i < classes.size(); i++) {
            cumulative += classes.get(i).share();
            if (u < cumulative) {
                return i;
            }
        }
        return classes.size() - 1; // shares that add up to a hair under 1
    }
}
