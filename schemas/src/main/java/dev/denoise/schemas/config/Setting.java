package dev.denoise.schemas.config;

import java.util.Map;
import java.util.Optional;

/**
 * One documented configuration key: its environment variable, its command-line flag, its default
 * and what it means. A value comes from the flag if given, else the environment, else the default.
 */
public record Setting(String envVar, String flag, String defaultValue, String doc) {

    /** The value in force, or empty when neither flag, environment nor default gives one. */
    public Optional<String> resolve(Map<String, String> flags, Map<String, String> env) {
        String flagValue = flags.get(flag);
        if (flagValue != null && !flagValue.isBlank()) {
            return Optional.of(flagValue);
        }
        String envValue = env.get(envVar);
        if (envValue != null && !envValue.isBlank()) {
            return Optional.of(envValue);
        }
        return Optional.ofNullable(defaultValue);
    }
}
