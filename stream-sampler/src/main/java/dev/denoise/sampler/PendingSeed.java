package dev.denoise.sampler;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One accepted seed that has no image yet: the unit of work kept in the changelogged pending
 * store until its image is emitted in the same transaction that deletes it.
 *
 * @param pinnedVersion 0 for the model's newest version
 * @param acceptedAtMs when the sampler accepted the request (for queue wait and the no-model timeout)
 */
public record PendingSeed(String requestId, int index, long seed, int steps, String sampler, String model,
                          int pinnedVersion, long acceptedAtMs) {

    /** Store key: one entry per (request, index), so a request's seeds are emitted independently. */
    public String key() {
        return key(requestId, index);
    }

    public static String key(String requestId, int index) {
        return requestId + "#" + index;
    }

    /** Seeds that may share a forward pass: same model, version choice, sampler and steps. */
    public record BatchKey(String model, int pinnedVersion, String sampler, int steps) {}

    public BatchKey batchKey() {
        return new BatchKey(model, pinnedVersion, sampler, steps);
    }

    /** A compact binary serde for the internal store and its changelog (no registry involved). */
    public static Serde<PendingSeed> serde() {
        Serializer<PendingSeed> serializer = (topic, p) -> {
            if (p == null) {
                return null;
            }
            byte[][] strings = {utf8(p.requestId), utf8(p.sampler), utf8(p.model)};
            ByteBuffer buffer = ByteBuffer.allocate(4 * 3 + strings[0].length + strings[1].length + strings[2].length
                    + 4 + 8 + 4 + 4 + 8);
            for (byte[] s : strings) {
                buffer.putInt(s.length).put(s);
            }
            buffer.putInt(p.index).putLong(p.seed).putInt(p.steps).putInt(p.pinnedVersion).putLong(p.acceptedAtMs);
            return buffer.array();
        };
        Deserializer<PendingSeed> deserializer = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            String requestId = string(buffer);
            String sampler = string(buffer);
            String model = string(buffer);
            return new PendingSeed(requestId, buffer.getInt(), buffer.getLong(), buffer.getInt(), sampler, model,
                    buffer.getInt(), buffer.getLong());
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.getInt()];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
