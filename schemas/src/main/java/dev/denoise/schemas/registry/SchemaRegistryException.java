package dev.denoise.schemas.registry;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A schema registry call failed: unreachable, unknown id, or a schema it refused.
 *
 * <p>It is a Kafka {@link SerializationException} so that Kafka clients and Streams' exception
 * handlers treat it like any other serde failure.
 */
public class SchemaRegistryException extends SerializationException {
    private final int errorCode;

    public SchemaRegistryException(String message, int errorCode, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, int errorCode) {
        this(message, errorCode, null);
    }

    /** The registry's error code (Confluent API, e.g. 40403 schema not found, 409 incompatible), or -1. */
    public int errorCode() {
        return errorCode;
    }
}
