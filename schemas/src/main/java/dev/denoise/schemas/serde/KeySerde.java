package dev.denoise.schemas.serde;

import dev.denoise.schemas.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Record keys (request ids, model names). By default plain UTF-8, as Kafka's
 * {@code StringSerializer} writes them; with {@value #KEY_FORMAT}{@code =avro}, an Avro
 * {@code "string"} on the Confluent wire format registered under {@code <topic>-key}, as
 * Confluent's legacy {@code AvroProducer} writes keys and its {@code AvroConsumer} expects them.
 * Reading takes either: a key that starts with the magic byte and names a registered string
 * schema is Avro, any other is UTF-8 (the system's keys never start with a NUL character).
 */
public final class KeySerde {
    /** The serde property (from {@code DENOISE_KEY_FORMAT} / {@code --key-format}): {@code string} or {@code avro}. */
    public static final String KEY_FORMAT = "denoise.key.format";
    /** The schema of an Avro key, registered under {@code <topic>-key}. */
    public static final Schema STRING = Schema.create(Schema.Type.STRING);

    private KeySerde() {}

    /** Whether {@code configs} ask for Avro keys. */
    public static boolean avroKeys(Map<String, ?> configs) {
        return format(configs).equals("avro");
    }

    private static String format(Map<String, ?> configs) {
        Object format = configs.get(KEY_FORMAT);
        return format == null ? "string" : format.toString().trim().toLowerCase(Locale.ROOT);
    }

    public static Serde<String> of(SchemaRegistryClient registry, Map<String, ?> configs) {
        Object format = configs.get(KEY_FORMAT);
        Serializer<String> serializer = switch (format(configs)) {
            case "string" -> Serdes.String().serializer();
            case "avro" -> (topic, key) -> key == null ? null : avro(registry, topic, key);
            default -> throw new IllegalArgumentException(KEY_FORMAT + " must be string or avro, not '" + format + "'");
        };
        Deserializer<String> deserializer = (topic, bytes) -> bytes == null ? null : read(registry, bytes);
        return Serdes.serdeFrom(serializer, deserializer);
    }

    private static byte[] avro(SchemaRegistryClient registry, String topic, String key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(5 + key.length() + 2);
        out.writeBytes(ConfluentWireFormat.header(registry.register(SubjectNames.topicNameStrategy(topic, true), STRING)));
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            encoder.writeString(key);
            encoder.flush();
        } catch (IOException e) {
            throw new SerializationException("Cannot encode key for topic " + topic, e);
        }
        return out.toByteArray();
    }

    private static String read(SchemaRegistryClient registry, byte[] bytes) {
        if (bytes.length >= ConfluentWireFormat.HEADER_SIZE && bytes[0] == ConfluentWireFormat.MAGIC_BYTE) {
            int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
            try {
                if (registry.schemaById(id).getType() == Schema.Type.STRING) {
                    return DecoderFactory.get().binaryDecoder(bytes, ConfluentWireFormat.HEADER_SIZE,
                            bytes.length - ConfluentWireFormat.HEADER_SIZE, null).readString();
                }
            } catch (IOException | RuntimeException e) {
                // not an Avro string key after all: read it as text below
            }
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
