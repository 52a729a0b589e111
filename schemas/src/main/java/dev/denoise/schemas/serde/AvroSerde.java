package dev.denoise.schemas.serde;

import dev.denoise.schemas.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** A Kafka {@link Serde} for a generated Avro class on the Confluent wire format. */
public final class AvroSerde {
    private AvroSerde() {}

    public static <T extends SpecificRecord> Serde<T> specific(
            Class<T> type, SchemaRegistryClient registry, Map<String, ?> configs, boolean isKey) {
        return Serdes.serdeFrom(new AvroSerializer<>(registry, configs, isKey),
                AvroDeserializer.specific(type, registry));
    }
}
