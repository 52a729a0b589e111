package dev.denoise.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.denoise.localstack.StackEndpoints;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.schemas.registry.SchemaRegistryClient;
import dev.denoise.schemas.serde.ConfluentWireFormat;
import dev.denoise.schemas.serde.KeySerde;
import dev.denoise.testsupport.KafkaStackTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;

/** Keys as Confluent's StringSerializer writes them, or as Avro strings for its legacy AvroConsumer, against a real registry. */
@KafkaStackTest
class KeyFormatIntegrationTest {

    @Test
    void avroKeysAreConfluentWireFormatStringsAndEitherFormatIsRead(StackEndpoints stack) throws Exception {
        String prefix = "keys-" + UUID.randomUUID();
        Topics avro = topics(stack, prefix, "avro");
        Topics plain = topics(stack, prefix, null);
        String topic = avro.requests.name();

        byte[] avroKey = avro.requests.keySerde().serializer().serialize(topic, "request-1");
        byte[] plainKey = plain.requests.keySerde().serializer().serialize(topic, "request-1");

        assertThat(plainKey).isEqualTo("request-1".getBytes(StandardCharsets.UTF_8));
        assertThat(avroKey[0]).isEqualTo(ConfluentWireFormat.MAGIC_BYTE);
        int id = ByteBuffer.wrap(avroKey, 1, 4).getInt();
        SchemaRegistryClient registry = avro.registry();
        assertThat(registry.schemaById(id).getType()).isEqualTo(Schema.Type.STRING);
        assertThat(registry.lookup(topic + "-key", Schema.create(Schema.Type.STRING))).as("registered under <topic>-key")
                .isEqualTo(id);
        // What any Avro reader (Confluent's AvroConsumer among them) decodes after the 5-byte header.
        assertThat(DecoderFactory.get().binaryDecoder(avroKey, 5, avroKey.length - 5, null).readString())
                .isEqualTo("request-1");

        for (Topics reader : List.of(avro, plain)) {
            assertThat(reader.requests.keySerde().deserializer().deserialize(topic, avroKey)).isEqualTo("request-1");
            assertThat(reader.requests.keySerde().deserializer().deserialize(topic, plainKey)).isEqualTo("request-1");
        }
        assertThatThrownBy(() -> topics(stack, prefix, "json")).hasMessageContaining("--key-format")
                .hasMessageContaining("\"json\"").hasMessageContaining("one of string, avro");
    }

    private static Topics topics(StackEndpoints stack, String prefix, String keyFormat) {
        Map<String, String> flags = new HashMap<>(Map.of(ConnectionSettings.BOOTSTRAP_SERVERS.flag(), stack.bootstrapServers(),
                ConnectionSettings.SCHEMA_REGISTRY_URL.flag(), stack.schemaRegistryUrl(),
                ConnectionSettings.TOPIC_PREFIX.flag(), prefix));
        if (keyFormat != null) {
            flags.put(ConnectionSettings.KEY_FORMAT.flag(), keyFormat);
        }
        ConnectionSettings settings = ConnectionSettings.resolve(flags, List.of(), Map.of());
        assertThat(settings.clientConfig().get(KeySerde.KEY_FORMAT)).isEqualTo(keyFormat);
        return Topics.of(settings);
    }
}
