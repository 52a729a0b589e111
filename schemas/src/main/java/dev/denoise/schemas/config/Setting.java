package dev.denoise.schemas.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigException;

/**
 * One configuration key, defined once, as Kafka's {@code ConfigDef} defines one: its environment
 * variable, its command-line flag, its type, its default ({@code null}: none), which values it
 * allows and what it means. A value comes from the flag if given, else the environment, else the
 * default. A value the type cannot read or the validator does not allow fails with a message that
 * names the setting, the value and what is allowed:
 * {@code DENOISE_MAX_BATCH / --max-batch: "0" is not allowed; expected an integer >= 1}.
 *
 * @param <T> the type of the value, e.g. {@code Integer} or {@code Duration}
 */
public record Setting<T>(String envVar, String flag, Type<T> type, T defaultValue, Validator<T> validator,
        String doc) {

    public Setting {
        Objects.requireNonNull(envVar);
        Objects.requireNonNull(flag);
        Objects.requireNonNull(type);
        Objects.requireNonNull(validator);
        Objects.requireNonNull(doc);
        if (defaultValue != null && !validator.accepts(defaultValue)) {
            throw new IllegalArgumentException(envVar + ": the default " + defaultValue + " is not allowed by its own validator");
        }
    }

    /** A setting whose every value of its type is allowed. */
    public static <T> Setting<T> of(String envVar, String flag, Type<T> type, T defaultValue, String doc) {
        return new Setting<>(envVar, flag, type, defaultValue, Validator.any(), doc);
    }

    public static <T> Setting<T> of(String envVar, String flag, Type<T> type, T defaultValue, Validator<T> validator,
            String doc) {
        return new Setting<>(envVar, flag, type, defaultValue, validator, doc);
    }

    /**
     * The value in force, read and checked, or empty when neither flag, environment nor default
     * gives one (a blank flag or variable counts as not given).
     *
     * @throws ConfigException when the value given is not allowed
     */
    public Optional<T> resolve(Map<String, String> flags, Map<String, String> env) {
        String flagValue = flags.get(flag);
        if (flagValue != null && !flagValue.isBlank()) {
            return Optional.of(parse(flagValue));
        }
        String envValue = env.get(envVar);
        if (envValue != null && !envValue.isBlank()) {
            return Optional.of(parse(envValue));
        }
        return Optional.ofNullable(defaultValue);
    }

    /** As {@link #resolve}, for a setting that must have a value. */
    public T value(Map<String, String> flags, Map<String, String> env) {
        return resolve(flags, env).orElseThrow(() -> new ConfigException(name() + " has no value; expected " + expected()));
    }

    /** The value {@code text} stands for, or a {@link ConfigException} naming this setting, the text and what is allowed. */
    public T parse(String text) {
        T value;
        try {
            value = type.parser().apply(text.strip());
        } catch (RuntimeException e) {
            throw notAllowed(text);
        }
        if (!validator.accepts(value)) {
            throw notAllowed(text);
        }
        return value;
    }

    /** Both of its names, as messages show them: {@code DENOISE_MAX_BATCH / --max-batch}. */
    public String name() {
        return envVar + " / " + flag;
    }

    /** What a value must be, in words: "an integer >= 1", "one of string, avro". */
    public String expected() {
        String rule = validator.allowed(this::show);
        return rule.isEmpty() ? type.noun() : type.noun() + " " + rule;
    }

    /** What is allowed, short, for a table beside the type: ">= 1", "string, avro", "any". */
    public String allowed() {
        String rule = validator.allowed(this::show);
        return rule.isEmpty() ? type.allowed() : rule;
    }

    /** The default as it would be written in a flag or variable, or {@code null} for none. */
    public String defaultText() {
        return defaultValue == null ? null : show(defaultValue);
    }

    /** {@code value} as it would be written in a flag or variable. */
    public String show(T value) {
        return type.printer().apply(value);
    }

    private ConfigException notAllowed(String text) {
        return new ConfigException(name() + ": \"" + text + "\" is not allowed; expected " + expected());
    }

    /**
     * How a value is read from text and written back, its name in a table ("int") and in a
     * sentence ("an integer"), and what it allows by itself ("any", or a choice's values).
     */
    public record Type<T>(String name, String noun, String allowed, Function<String, T> parser,
            Function<? super T, String> printer) {

        public static final Type<String> STRING = new Type<>("string", "a string", "any", text -> text, text -> text);
        public static final Type<Integer> INT = new Type<>("int", "an integer", "any", Integer::parseInt, String::valueOf);
        public static final Type<Long> LONG = new Type<>("long", "an integer", "any", Long::parseLong, String::valueOf);
        /** A finite number: not NaN, not infinite. */
        public static final Type<Double> DOUBLE = new Type<>("double", "a number", "any", Type::finite,
                value -> BigDecimal.valueOf(value).stripTrailingZeros().toPlainString());
        /** A whole number of milliseconds. */
        public static final Type<Duration> DURATION_MS = new Type<>("duration (ms)", "a duration in milliseconds", "any",
                text -> Duration.ofMillis(Long.parseLong(text)), duration -> String.valueOf(duration.toMillis()));

        /** One of {@code values} (lower-case), given in any case and read as lower-case: AVRO is avro. */
        public static Type<String> choice(String... values) {
            List<String> choices = List.of(values);
            String listed = String.join(", ", choices);
            return new Type<>("choice", "one of " + listed, listed, text -> {
                String value = text.toLowerCase(Locale.ROOT);
                if (!choices.contains(value)) {
                    throw new IllegalArgumentException(text);
                }
                return value;
            }, text -> text);
        }

        private static double finite(String text) {
            double value = Double.parseDouble(text);
            if (!Double.isFinite(value)) {
                throw new NumberFormatException(text);
            }
            return value;
        }
    }

    /** Which values of its type a setting allows, and that in words. */
    public interface Validator<T> {

        boolean accepts(T value);

        /**
         * What it allows, in words that follow the type's noun, bounds written with {@code show}:
         * ">= 1", "between 0 and 65535"; empty when it allows everything.
         */
        String allowed(Function<? super T, String> show);

        /** Every value. */
        static <T> Validator<T> any() {
            return new Validator<>() {
                @Override
                public boolean accepts(T value) {
                    return true;
                }

                @Override
                public String allowed(Function<? super T, String> show) {
                    return "";
                }
            };
        }

        /** {@code min} and above. */
        static <T extends Comparable<? super T>> Validator<T> atLeast(T min) {
            return new Validator<>() {
                @Override
                public boolean accepts(T value) {
                    return value.compareTo(min) >= 0;
                }

                @Override
                public String allowed(Function<? super T, String> show) {
                    return ">= " + show.apply(min);
                }
            };
        }

        /** {@code min} to {@code max}, both included. */
        static <T extends Comparable<? super T>> Validator<T> between(T min, T max) {
            return new Validator<>() {
                @Override
                public boolean accepts(T value) {
                    return value.compareTo(min) >= 0 && value.compareTo(max) <= 0;
                }

                @Override
                public String allowed(Function<? super T, String> show) {
                    return "between " + show.apply(min) + " and " + show.apply(max);
                }
            };
        }
    }
}
