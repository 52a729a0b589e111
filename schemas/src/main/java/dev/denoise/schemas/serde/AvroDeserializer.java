package dev.denoise.schemas.serde;

import dev.denoise.schemas.registry.RegistryClientConfig;
import dev.denoise.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Avro records on the Confluent wire format. The writer's schema comes from the registry by
 * the id in the record's header and is resolved against this deserializer's reader schema, so a
 * reader with a newer schema (fields added with defaults) reads records written with an older one.
 *
 * <p>Created for Kafka's reflective instantiation, it reads {@link GenericRecord}s with the writer's
 * schema, or the generated classes with Confluent's {@code specific.avro.reader=true}.
 */
public final class AvroDeserializer<T> implements Deserializer<T> {
    static {
        ContractClasses.trust();
    }

    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";

    private SchemaRegistryClient registry;
    /** Null means: read with the writer's schema. */
    private Schema readerSchema;
    private GenericData model = GenericData.get();
    private final Map<Integer, DatumReader<T>> readersBySchemaId = new ConcurrentHashMap<>();

    /** For Kafka's reflective instantiation; {@link #configure} must follow. */
    public AvroDeserializer() {}

    private AvroDeserializer(SchemaRegistryClient registry, Schema readerSchema, GenericData model) {
        this.registry = registry;
        this.readerSchema = readerSchema;
        this.model = model;
    }

    /** Reads records into the generated class {@code type}. */
    public static <T extends SpecificRecord> AvroDeserializer<T> specific(Class<T> type, SchemaRegistryClient registry) {
        return new AvroDeserializer<>(registry, SpecificData.get().getSchema(type), SpecificData.getForClass(type));
    }

    /** Reads records as {@link GenericRecord}s of {@code readerSchema}. */
    public static AvroDeserializer<GenericRecord> generic(Schema readerSchema, SchemaRegistryClient registry) {
        return new AvroDeserializer<>(registry, readerSchema, GenericData.get());
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (registry == null) {
            registry = new SchemaRegistryClient(RegistryClientConfig.from(configs));
            Object specific = configs.get(SPECIFIC_AVRO_READER);
            model = specific != null && Boolean.parseBoolean(specific.toString()) ? SpecificData.get() : GenericData.get();
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroDeserializer used before configure()");
        }
        ByteBuffer buffer = ByteBuffer.wrap(data);
        int schemaId = ConfluentWireFormat.readSchemaId(topic, buffer);
        DatumReader<T> reader = readersBySchemaId.computeIfAbsent(schemaId, this::readerFor);
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(data, buffer.position(), buffer.remaining(), null);
        try {
            return reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot decode record on topic " + topic + " with schema id "
                    + schemaId + ": " + e, e);
        }
    }

    @SuppressWarnings("unchecked")
    private DatumReader<T> readerFor(int schemaId) {
        Schema writer = registry.schemaById(schemaId);
        Schema reader = readerSchema != null ? readerSchema : writer;
        return model instanceof SpecificData
                ? new SpecificDatumReader<>(writer, reader, (SpecificData) model)
                : (DatumReader<T>) new GenericDatumReader<>(writer, reader, model);
    }
}
