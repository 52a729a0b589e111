package dev.denoise.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.FailureReason;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleFailure;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.schemas.registry.RegistryClientConfig;
import dev.denoise.schemas.serde.AvroSerializer;
import dev.denoise.testsupport.KafkaStackTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.LongStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * Thousands of generated request records, most broken in one of the ways a producer can break
 * them, through the processor: each broken one ends as exactly one failure record with its
 * reason, none throws out of {@code process} (which would stop a Streams thread), and every seed
 * of the valid ones (among them one written with a newer schema) gets exactly one image.
 */
@KafkaStackTest
class IntakeFuzzTest {
    private static final int CASES = 3000;

    /** How a generated record is made, and the reason it must fail with (null: it must be sampled). */
    private enum Kind {
        TRUNCATED(FailureReason.UNDECODABLE),
        FOREIGN_SCHEMA(FailureReason.UNDECODABLE),
        GARBAGE(FailureReason.UNDECODABLE),
        NULL_VALUE(FailureReason.UNDECODABLE),
        TOO_MANY_SEEDS(FailureReason.INVALID_SEEDS),
        NO_SEEDS(FailureReason.INVALID_SEEDS),
        BAD_STEPS(FailureReason.INVALID_STEPS),
        BAD_MIN_STEPS(FailureReason.INVALID_STEPS),
        UNKNOWN_SAMPLER(FailureReason.UNKNOWN_SAMPLER),
        BAD_LABEL(FailureReason.INVALID_LABEL),
        BAD_GUIDANCE(FailureReason.INVALID_GUIDANCE),
        BAD_PRIORITY(FailureReason.INVALID_PRIORITY),
        BAD_DEADLINE(FailureReason.INVALID_DEADLINE),
        UNKNOWN_VERSION(FailureReason.UNKNOWN_VERSION),
        NEWER_WRITER(null),
        VALID(null);

        final FailureReason reason;

        Kind(FailureReason reason) {
            this.reason = reason;
        }
    }

    private record Case(String key, Kind kind, int seeds) {}

    @Test
    void everyBrokenRecordEndsAsOneFailureWithItsReasonAndEveryAcceptedSeedAsOneImage(StackEndpoints stack)
            throws Exception {
        Topics topics = Topics.of(ConnectionSettings.of(stack.bootstrapServers(), stack.schemaRegistryUrl(),
                "fuzz-" + UUID.randomUUID()));
        AvroSerializer<GenericRecord> generic = new AvroSerializer<>();
        generic.configure(Map.of(RegistryClientConfig.URL, stack.schemaRegistryUrl()), false);
        SplittableRandom random = new SplittableRandom(12);
        List<Case> cases = new ArrayList<>();
        try (ProcessorHarness harness = new ProcessorHarness(topics)) {
            int maxSeeds = harness.settings.maxSeeds();
            for (int i = 0; i < CASES; i++) {
                Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
                // Null keys only where the body carries no request id to tell the failure apart by.
                String key = kind == Kind.GARBAGE && random.nextBoolean() ? null : "fuzz-" + i;
                SampleRequest request = valid("fuzz-" + i, 1 + random.nextInt(2));
                byte[] value = switch (kind) {
                    case TRUNCATED -> {
                        byte[] whole = harness.serialized(request);
                        yield Arrays.copyOf(whole, 1 + random.nextInt(whole.length - 1));
                    }
                    case FOREIGN_SCHEMA -> generic.serialize("fuzz-foreign-" + i % 5, foreign(request, i % 5));
                    case GARBAGE -> garbage(random);
                    case NULL_VALUE -> null;
                    case TOO_MANY_SEEDS -> harness.serialized(withSeeds(request, maxSeeds + 1 + random.nextInt(5000)));
                    case NO_SEEDS -> harness.serialized(withSeeds(request, 0));
                    case BAD_STEPS -> {
                        request.setSteps(random.nextBoolean() ? -random.nextInt(Integer.MAX_VALUE)
                                : harness.settings.maxSteps() + 1 + random.nextInt(Integer.MAX_VALUE - 2000));
                        yield harness.serialized(request);
                    }
                    case BAD_MIN_STEPS -> {
                        request.setSteps(4);
                        request.setMinSteps(random.nextBoolean() ? 5 + random.nextInt(1000) : -random.nextInt(1000));
                        yield harness.serialized(request);
                    }
                    case UNKNOWN_SAMPLER -> {
                        request.setSampler("s" + random.nextLong());
                        yield harness.serialized(request);
                    }
                    case BAD_LABEL -> {
                        request.setClassLabel(random.nextBoolean() ? 10 + random.nextInt(Integer.MAX_VALUE - 10)
                                : -1 - random.nextInt(Integer.MAX_VALUE));
                        yield harness.serialized(request);
                    }
                    case BAD_GUIDANCE -> {
                        float[] bad = {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -Float.MIN_VALUE,
                                -random.nextInt(1000) - 1f};
                        request.setGuidanceScale(bad[random.nextInt(bad.length)]);
                        yield harness.serialized(request);
                    }
                    case BAD_PRIORITY -> {
                        request.setPriority(random.nextBoolean() ? 101 + random.nextInt(Integer.MAX_VALUE - 101)
                                : -random.nextInt(Integer.MAX_VALUE));
                        yield harness.serialized(request);
                    }
                    case BAD_DEADLINE -> {
                        request.setDeadlineMs(random.nextBoolean() ? 0L : Long.MIN_VALUE + random.nextLong(Long.MAX_VALUE));
                        yield harness.serialized(request);
                    }
                    case UNKNOWN_VERSION -> {
                        request.setPinnedVersion(2 + random.nextInt(Integer.MAX_VALUE - 2));
                        yield harness.serialized(request);
                    }
                    case NEWER_WRITER -> generic.serialize(topics.requests.name(), newer(request));
                    case VALID -> harness.serialized(request);
                };
                cases.add(new Case(key, kind, request.getSeeds().size()));
                harness.process(key, value); // throws here if process() does
            }
            harness.runUntilIdle();

            Map<String, List<FailureReason>> failures = new HashMap<>();
            int anonymous = 0;
            for (SampleFailure failure : harness.failures()) {
                String key = failure.getRequestId() != null ? failure.getRequestId()
                        : failure.getSource().getKey() == null ? null : utf8(failure.getSource().getKey());
                if (key == null) {
                    anonymous++;
                    assertThat(failure.getReason()).isEqualTo(FailureReason.UNDECODABLE);
                } else {
                    failures.computeIfAbsent(key, k -> new ArrayList<>()).add(failure.getReason());
                }
            }
            Map<String, Integer> images = new HashMap<>();
            for (GeneratedImage image : harness.images()) {
                images.merge(image.getRequestId(), 1, Integer::sum);
            }
            Map<Kind, Integer> counts = new TreeMap<>();
            for (Case c : cases) {
                counts.merge(c.kind(), 1, Integer::sum);
                if (c.key() == null) {
                    continue;
                }
                if (c.kind().reason == null) {
                    assertThat(failures.get(c.key())).as("%s (%s) failed", c.key(), c.kind()).isNull();
                    assertThat(images.get(c.key())).as("images of %s (%s)", c.key(), c.kind()).isEqualTo(c.seeds());
                } else {
                    assertThat(failures.get(c.key())).as("failures of %s (%s)", c.key(), c.kind())
                            .containsExactly(c.kind().reason);
                    assertThat(images.get(c.key())).as("images of %s (%s)", c.key(), c.kind()).isNull();
                }
            }
            assertThat(anonymous).as("failures of garbage with a null key")
                    .isEqualTo((int) cases.stream().filter(c -> c.key() == null).count());
            assertThat(harness.store.approximateNumEntries()).as("no seed left pending").isZero();
            System.out.println("generated records by kind: " + counts);
        }
    }

    private static SampleRequest valid(String id, int seeds) {
        return SampleRequest.newBuilder().setRequestId(id).setSeeds(LongStream.range(0, seeds).boxed().toList())
                .setSteps(1).setRequestedAt(Instant.now()).build();
    }

    private static SampleRequest withSeeds(SampleRequest request, int seeds) {
        request.setSeeds(LongStream.range(0, seeds).boxed().toList());
        return request;
    }

    /** Random bytes: Confluent's magic byte 0 and a schema id the registry may or may not know, or not even that. */
    private static byte[] garbage(SplittableRandom random) {
        byte[] bytes = new byte[random.nextInt(64)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        if (bytes.length > 0 && random.nextBoolean()) {
            bytes[0] = 0;
        }
        return bytes;
    }

    /**
     * The request's fields written under a schema of another application, a record of the same
     * name whose fields have types Avro cannot resolve to ours: variant 0, steps a string; 1,
     * seeds strings; 2, steps a double; 3, steps a long; 4, requestedAt a string.
     */
    private static GenericRecord foreign(SampleRequest request, int variant) {
        SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record("SampleRequest")
                .namespace("dev.denoise.schemas").fields()
                .requiredString("requestId");
        fields = variant == 1 ? fields.name("seeds").type().array().items().stringType().noDefault()
                : fields.name("seeds").type().array().items().longType().noDefault();
        fields = variant == 0 ? fields.requiredString("steps") : variant == 2 ? fields.requiredDouble("steps")
                : variant == 3 ? fields.requiredLong("steps") : fields.requiredInt("steps");
        fields = variant == 4 ? fields.requiredString("requestedAt") : fields.requiredLong("requestedAt");
        Schema schema = fields.endRecord();
        GenericRecord record = new GenericData.Record(schema);
        record.put("requestId", request.getRequestId());
        record.put("seeds", variant == 1 ? request.getSeeds().stream().map(String::valueOf).toList() : request.getSeeds());
        record.put("steps", switch (variant) {
            case 0 -> "one";
            case 2 -> 1.0;
            case 3 -> (long) Integer.MAX_VALUE + 7;
            default -> 1;
        });
        record.put("requestedAt", variant == 4 ? "now" : System.currentTimeMillis());
        return record;
    }

    /** The request written with a newer version of its schema: one more field, with a default. */
    private static GenericRecord newer(SampleRequest request) {
        Schema current = SampleRequest.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : current.getFields()) {
            fields.add(new Schema.Field(field, field.schema()));
        }
        fields.add(new Schema.Field("tenant", Schema.create(Schema.Type.STRING), "added by a newer writer", "none"));
        Schema schema = Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
        GenericRecord record = new GenericData.Record(schema);
        for (Schema.Field field : current.getFields()) {
            record.put(field.name(), request.get(field.name()));
        }
        record.put("requestedAt", request.getRequestedAt().toEpochMilli());
        record.put("tenant", "team-a");
        return record;
    }

    private static String utf8(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
