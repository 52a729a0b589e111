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
 * @param steps the steps asked for, or {@link #DEFAULT_STEPS}
 * @param sampler the sampler asked for; null for the model's default
 * @param pinnedVersion 0 for the model's newest version
 * @param acceptedAtMs when the sampler accepted the request (for queue wait and the no-model timeout)
 * @param label the digit asked for, or {@link #NO_LABEL}
 * @param guidance the guidance scale asked for, or NaN for the model's default
 * @param priority the request's weight in the share of free slots (1 or more)
 * @param deadlineAtMs when the seed fails if it has not started, or {@link #NO_DEADLINE}
 * @param minSteps the fewest steps the request accepts when its deadline would be missed at
 *                 {@code steps} ({@link StepBudget}); 0 when it accepts no fewer
 */
public record PendingSeed(String requestId, int index, long seed, int steps, String sampler, String model,
                          int pinnedVersion, long acceptedAtMs, int label, float guidance, int priority,
                          long deadlineAtMs, int minSteps) {
    /** The label of an unconditional seed. */
    public static final int NO_LABEL = -1;
    public static final long NO_DEADLINE = Long.MAX_VALUE;
    /** The steps of a seed whose request left them to the model: its family's default, known once a version serves it. */
    public static final int DEFAULT_STEPS = 0;

    /** A seed whose request accepts no fewer steps than it asks for. */
    public PendingSeed(String requestId, int index, long seed, int steps, String sampler, String model,
                       int pinnedVersion, long acceptedAtMs, int label, float guidance, int priority, long deadlineAtMs) {
        this(requestId, index, seed, steps, sampler, model, pinnedVersion, acceptedAtMs, label, guidance, priority,
                deadlineAtMs, 0);
    }

    /** This seed with {@code defaultSteps} if its request left the steps to the model, else itself. */
    public PendingSeed withStepsOr(int defaultSteps) {
        return steps != DEFAULT_STEPS ? this : withSteps(defaultSteps);
    }

    /** This seed with {@code value} steps. */
    public PendingSeed withSteps(int value) {
        return new PendingSeed(requestId, index, seed, value, sampler, model, pinnedVersion, acceptedAtMs, label, guidance,
                priority, deadlineAtMs, minSteps);
    }

    /** Store key: one entry per (request, index), so a request's seeds are emitted independently. */
    public String key() {
        return key(requestId, index);
    }

    public static String key(String requestId, int index) {
        return requestId + "#" + index;
    }

    /**
     * A compact binary serde for the internal store and its changelog (no registry involved). Fields
     * added later come last, so entries written before they existed still read: as unconditional,
     * of priority 1, without a deadline, accepting no fewer steps.
     */
    public static Serde<PendingSeed> serde() {
        Serializer<PendingSeed> serializer = (topic, p) -> {
            if (p == null) {
                return null;
            }
            byte[][] strings = {utf8(p.requestId), utf8(p.sampler == null ? "" : p.sampler), utf8(p.model)};
            ByteBuffer buffer = ByteBuffer.allocate(4 * 3 + strings[0].length + strings[1].length + strings[2].length
                    + 4 + 8 + 4 + 4 + 8 + 4 + 4 + 4 + 8 + 4);
            for (byte[] s : strings) {
                buffer.putInt(s.length).put(s);
            }
            buffer.putInt(p.index).putLong(p.seed).putInt(p.steps).putInt(p.pinnedVersion).putLong(p.acceptedAtMs)
                    .putInt(p.label).putFloat(p.guidance).putInt(p.priority).putLong(p.deadlineAtMs)
                    .putInt(p.minSteps);
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
            int index = buffer.getInt();
            long seed = buffer.getLong();
            int steps = buffer.getInt();
            int pinned = buffer.getInt();
            long acceptedAt = buffer.getLong();
            boolean conditioned = buffer.remaining() >= 8;
            int label = conditioned ? buffer.getInt() : NO_LABEL;
            float guidance = conditioned ? buffer.getFloat() : Float.NaN;
            boolean scheduled = buffer.remaining() >= 12;
            int priority = scheduled ? buffer.getInt() : 1;
            long deadlineAt = scheduled ? buffer.getLong() : NO_DEADLINE;
            int minSteps = buffer.remaining() >= 4 ? buffer.getInt() : 0;
            return new PendingSeed(requestId, index, seed, steps, sampler.isEmpty() ? null : sampler, model, pinned,
                    acceptedAt, label, guidance, priority, deadlineAt, minSteps);
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
