package dev.denoise.sampler;

import java.util.Arrays;
import java.util.Locale;

/** How the stream-sampler fills its slots (see {@link StepScheduler}). */
public enum Scheduling {
    /** At every iteration, fairly between requests, whatever their step counts. */
    CONTINUOUS,
    /** Only when every slot is free, with seeds that share steps, sampler and model, oldest first (the earlier design). */
    WHOLE_BATCH;

    /** The name a setting gives it: {@code continuous}, {@code whole-batch}. */
    public String settingValue() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Scheduling parse(String value) {
        return Arrays.stream(values()).filter(s -> s.settingValue().equals(value.trim())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not one of "
                        + Arrays.stream(values()).map(Scheduling::settingValue).toList()));
    }
}
