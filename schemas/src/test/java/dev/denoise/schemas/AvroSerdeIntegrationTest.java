package dev.denoise.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.denoise.localstack.FreePorts;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.schemas.registry.RegistryClientConfig;
import dev.denoise.schemas.registry.SchemaRegistryClient;
import dev.denoise.schemas.registry.SchemaRegistryException;
import dev.denoise.schemas.serde.AvroDeserializer;
import dev.denoise.schemas.serde.AvroSerializer;
import dev.denoise.testsupport.KafkaStackTest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The serde against a real broker and a real registry. The wire format is checked against golden
 * records written by Confluent's own serializer (confluent-kafka-python's MessageSerializer; see
 * src/test/resources/confluent-golden/README.md): their values are {@link #goldenRequest()} and
 * {@link #goldenImage()}, which must stay equal to those in make_golden.py there.
 */
@KafkaStackTest
class AvroSerdeIntegrationTest {
    /** The schema id make_golden.py writes into the golden headers (its registry is a pre-filled cache). */
    private static final int GOLDEN_SCHEMA_ID = 0x01020304;

    private StackEndpoints stack;
    private Topics topics;
    private String topic;

    @BeforeEach
    void setUp(StackEndpoints stack) throws Exception {
        this.stack = stack;
        this.topics = Topics.of(ConnectionSettings.of(stack.bootstrapServers(), stack.schemaRegistryUrl(),
                "serde-" + UUID.randomUUID()));
        this.topic = topics.requests.name();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            TopicProvisioner.ensureTopics(admin, topics, 1, Optional.empty());
        }
    }

    @Test
    void aRequestTravelsThroughKafkaAndComesBackEqual() throws Exception {
        SampleRequest sent = TestRecords.request();
        produce(topic, sent);

        List<ConsumerRecord<String, SampleRequest>> received =
                consume(topic, 1, topics.requests.valueSerde().deserializer());

        assertThat(received).hasSize(1);
        assertThat(received.get(0).key()).isEqualTo(sent.getRequestId());
        assertThat(received.get(0).value()).isEqualTo(sent);
    }

    @Test
    void bytesOnTheTopicAreWhatConfluentsSerializerWrites() throws Exception {
        byte[] golden = golden("SampleRequest.bin");
        produce(topic, goldenRequest());

        byte[] value = consume(topic, 1, new ByteArrayDeserializer()).get(0).value();

        assertSameWireFormat(value, golden, latestIdOfSubject(topic + "-value"));
    }

    @Test
    void anImageIsSerializedAsConfluentsSerializerWritesIt() throws Exception {
        byte[] golden = golden("GeneratedImage.bin");
        String images = topics.images.name();

        byte[] value = topics.images.valueSerde().serializer().serialize(images, goldenImage());

        assertSameWireFormat(value, golden, latestIdOfSubject(images + "-value"));
    }

    @Test
    void recordsWrittenByConfluentsSerializerAreReadBack() throws Exception {
        String images = topics.images.name();
        int requestSchemaId = registry().register(topic + "-value", SampleRequest.getClassSchema());
        int imageSchemaId = registry().register(images + "-value", GeneratedImage.getClassSchema());

        SampleRequest request = topics.requests.valueSerde().deserializer()
                .deserialize(topic, withSchemaId(golden("SampleRequest.bin"), requestSchemaId));
        GeneratedImage image = topics.images.valueSerde().deserializer()
                .deserialize(images, withSchemaId(golden("GeneratedImage.bin"), imageSchemaId));

        assertThat(request).usingRecursiveComparison().isEqualTo(goldenRequest());
        assertThat(request).isEqualTo(goldenRequest());
        assertThat(image).usingRecursiveComparison().isEqualTo(goldenImage());
        assertThat(image).isEqualTo(goldenImage());
    }

    @Test
    void aReaderWithANewerSchemaReadsOldRecords() throws Exception {
        SampleRequest sent = TestRecords.request();
        produce(topic, sent);

        Schema newer = withAddedField(SampleRequest.getClassSchema(), "retries", Schema.create(Schema.Type.INT), 5);
        Deserializer<GenericRecord> newerReader = AvroDeserializer.generic(newer, registry());
        GenericRecord read = consume(topic, 1, newerReader).get(0).value();

        assertThat(read.getSchema()).isEqualTo(newer);
        assertThat(read.get("requestId").toString()).isEqualTo(sent.getRequestId());
        assertThat(read.get("seeds")).asInstanceOf(InstanceOfAssertFactories.list(Long.class))
                .containsExactlyElementsOf(sent.getSeeds());
        assertThat(read.get("retries")).as("the added field's default").isEqualTo(5);
    }

    @Test
    void aReflectivelyCreatedDeserializerReadsGenericRecordsLikeConfluentClients() throws Exception {
        SampleRequest sent = TestRecords.request();
        produce(topic, sent);

        AvroDeserializer<Object> reflective = new AvroDeserializer<>();
        reflective.configure(Map.of(RegistryClientConfig.URL, stack.schemaRegistryUrl()), false);
        Object read = consume(topic, 1, reflective).get(0).value();

        assertThat(read).isInstanceOf(GenericData.Record.class);
        assertThat(((GenericRecord) read).get("steps")).isEqualTo(40);

        AvroDeserializer<Object> specific = new AvroDeserializer<>();
        specific.configure(Map.of(RegistryClientConfig.URL, stack.schemaRegistryUrl(),
                AvroDeserializer.SPECIFIC_AVRO_READER, "true"), false);
        assertThat(specific.deserialize(topic, consume(topic, 1, new ByteArrayDeserializer()).get(0).value()))
                .isEqualTo(sent);
    }

    @Test
    void aWrongMagicByteIsAClearError() {
        Deserializer<SampleRequest> deserializer = topics.requests.valueSerde().deserializer();
        assertThatThrownBy(() -> deserializer.deserialize(topic, "{\"json\": true}".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Unknown magic byte 0x7b")
                .hasMessageContaining(topic);
    }

    @Test
    void anUnknownSchemaIdIsAClearError() {
        byte[] record = {0, 0x7f, 0, 0, 1, 2, 3};
        Deserializer<SampleRequest> deserializer = topics.requests.valueSerde().deserializer();
        assertThatThrownBy(() -> deserializer.deserialize(topic, record))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("fetch schema id " + 0x7f000001)
                .hasMessageContaining(stack.schemaRegistryUrl())
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(40403));
    }

    @Test
    void anUnreachableRegistryIsNamedInTheError() {
        String deadUrl = "http://127.0.0.1:" + FreePorts.find() + "/apis/ccompat/v7";
        AvroSerializer<SampleRequest> serializer = new AvroSerializer<>();
        serializer.configure(Map.of(RegistryClientConfig.URL, deadUrl), false);
        assertThatThrownBy(() -> serializer.serialize(topic, TestRecords.request()))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("Schema registry at " + deadUrl + " is unreachable");
    }

    @Test
    void anIncompatibleSchemaCarriesTheRegistrysMessage() {
        produceSync(topic, TestRecords.request()); // registers SampleRequest under <topic>-value

        // Same record name, but the required field 'steps' replaced by one without a default.
        Schema incompatible = SchemaBuilder.record("SampleRequest").namespace("dev.denoise.schemas").fields()
                .requiredString("requestId").requiredString("somethingElse").endRecord();
        GenericRecord record = new GenericData.Record(incompatible);
        record.put("requestId", "r");
        record.put("somethingElse", "x");
        AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(registry(), Map.of(), false);

        assertThatThrownBy(() -> serializer.serialize(topic, record))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("rejected it as incompatible")
                .hasMessageContaining("subject " + topic + "-value")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(409));
    }

    @Test
    void withoutAutoRegistrationAnUnregisteredSchemaIsRefused() {
        AvroSerializer<SampleRequest> serializer = new AvroSerializer<>(registry(),
                Map.of(AvroSerializer.AUTO_REGISTER_SCHEMAS, "false"), false);
        assertThatThrownBy(() -> serializer.serialize(topic, TestRecords.request()))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("look up the schema");

        produceSync(topic, TestRecords.request());
        assertThat(serializer.serialize(topic, TestRecords.request())[0]).isZero();
    }

    /** The values make_golden.py gives its SampleRequest: every optional field set. */
    static SampleRequest goldenRequest() {
        return SampleRequest.newBuilder()
                .setRequestId("golden-request-0001")
                .setSeeds(List.of(0L, 1L, -1L, 1L << 40))
                .setSteps(40)
                .setSampler("ddim")
                .setModel("mnist-cond")
                .setPinnedVersion(3)
                .setClassLabel(7)
                .setGuidanceScale(2.5f)
                .setRequestedAt(Instant.parse("2024-05-01T12:34:56.789Z"))
                .setPriority(2)
                .setDeadlineMs(1500L)
                .setMinSteps(2)
                .build();
    }

    /** The values make_golden.py gives its GeneratedImage: the optional fields null. */
    static GeneratedImage goldenImage() {
        return GeneratedImage.newBuilder()
                .setRequestId("golden-request-0001")
                .setSeed(-42L)
                .setIndex(2)
                .setModel("mnist")
                .setModelVersion(5)
                .setSteps(8)
                .setSampler("article")
                .setWidth(28)
                .setHeight(28)
                .setPng(ByteBuffer.wrap(new byte[] {(byte) 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00,
                        (byte) 0xFF, 0x7F, (byte) 0x80}))
                .setQueueWaitMs(12L)
                .setSamplingMs(345678L)
                .setCreatedAt(Instant.parse("2024-05-01T12:35:00.001Z"))
                .setClassLabel(null)
                .setGuidanceScale(null)
                .setChannels(3)
                .build();
    }

    private static byte[] golden(String name) throws IOException {
        try (InputStream in = AvroSerdeIntegrationTest.class.getResourceAsStream("/confluent-golden/" + name)) {
            assertThat(in).as("golden record %s on the test classpath", name).isNotNull();
            byte[] golden = in.readAllBytes();
            assertThat(golden[0]).as("magic byte in %s", name).isZero();
            assertThat(ByteBuffer.wrap(golden, 1, 4).getInt()).as("schema id in %s", name).isEqualTo(GOLDEN_SCHEMA_ID);
            return golden;
        }
    }

    /**
     * The schema ids differ between registries, so: the same magic byte, the id the registry gave
     * (big-endian) in {@code actual}'s header, and the Avro payload after the 5-byte header byte for byte.
     */
    private static void assertSameWireFormat(byte[] actual, byte[] golden, int registeredId) {
        assertThat(actual.length).as("record length (header + Avro)").isEqualTo(golden.length);
        assertThat(actual[0]).as("magic byte").isEqualTo(golden[0]);
        assertThat(ByteBuffer.wrap(actual, 1, 4).getInt()).as("schema id, 4 bytes big-endian").isEqualTo(registeredId);
        assertThat(Arrays.copyOfRange(actual, 5, actual.length)).as("Avro payload after the header")
                .isEqualTo(Arrays.copyOfRange(golden, 5, golden.length));
    }

    /** {@code golden} with the id in its header replaced by {@code schemaId} (big-endian), the payload untouched. */
    private static byte[] withSchemaId(byte[] golden, int schemaId) {
        byte[] record = golden.clone();
        ByteBuffer.wrap(record, 1, 4).putInt(schemaId);
        return record;
    }

    private SchemaRegistryClient registry() {
        return new SchemaRegistryClient(RegistryClientConfig.from(Map.of(RegistryClientConfig.URL, stack.schemaRegistryUrl())));
    }

    private void produceSync(String topicName, SampleRequest request) {
        try {
            produce(topicName, request);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private void produce(String topicName, SampleRequest request) throws Exception {
        try (KafkaProducer<String, SampleRequest> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", stack.bootstrapServers()),
                new StringSerializer(), topics.requests.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topicName, request.getRequestId(), request)).get();
        }
    }

    private <V> List<ConsumerRecord<String, V>> consume(String topicName, int count, Deserializer<V> valueDeserializer) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(config, new StringDeserializer(), valueDeserializer)) {
            consumer.subscribe(List.of(topicName));
            long deadline = System.currentTimeMillis() + 30_000;
            while (records.size() < count && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private int latestIdOfSubject(String subject) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(stack.schemaRegistryUrl() + "/subjects/" + subject + "/versions/latest")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).path("id").asInt();
    }

    private static Schema withAddedField(Schema schema, String name, Schema type, Object defaultValue) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : schema.getFields()) {
            fields.add(new Schema.Field(field, field.schema()));
        }
        fields.add(new Schema.Field(name, type, "added in a later version", defaultValue));
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }
}
