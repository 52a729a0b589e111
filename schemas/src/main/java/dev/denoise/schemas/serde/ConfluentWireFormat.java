package dev.denoise.schemas.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The Confluent wire format: magic byte 0, the schema's registry id as a 4-byte big-endian
 * integer, then the Avro binary encoding of the value.
 */
public final class ConfluentWireFormat {
    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private ConfluentWireFormat() {}

    /** The header that precedes the Avro payload. */
    public static byte[] header(int schemaId) {
        return ByteBuffer.allocate(HEADER_SIZE).put(MAGIC_BYTE).putInt(schemaId).array();
    }

    /** Reads and checks the header, leaving {@code buffer} at the start of the Avro payload. */
    public static int readSchemaId(String topic, ByteBuffer buffer) {
        if (buffer.remaining() < HEADER_SIZE) {
            throw new SerializationException("Record on topic " + topic + " has " + buffer.remaining()
                    + " bytes, too short for the Confluent wire format (magic byte 0 + 4-byte schema id + Avro)");
        }
        byte magic = buffer.get();
        if (magic != MAGIC_BYTE) {
            throw new SerializationException(String.format(
                    "Unknown magic byte 0x%02x in record on topic %s: expected 0x00 (Confluent wire format; "
                            + "was it produced with a Confluent-compatible Avro serializer?)", magic, topic));
        }
        return buffer.getInt();
    }
}
