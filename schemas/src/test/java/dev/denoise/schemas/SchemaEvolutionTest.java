package dev.denoise.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every released version of each schema is kept under {@code schema-history/<Name>/vN.avsc}. The
 * current schema must read what any of them wrote (BACKWARD), and the newest snapshot must be the
 * current schema, so every change to a contract leaves a snapshot and a compatibility check behind.
 */
class SchemaEvolutionTest {

    @ParameterizedTest
    @ValueSource(classes = {SampleRequest.class, GeneratedImage.class, ModelVersion.class, ModelPromotion.class,
            SampleFailure.class})
    void currentSchemaReadsEveryReleasedVersion(Class<?> type) throws Exception {
        Schema current = SpecificData.get().getSchema(type);
        List<Path> history = history(type.getSimpleName());
        assertThat(history).as("released versions of %s", type.getSimpleName()).isNotEmpty();
        for (Path released : history) {
            Schema writer = parse(released);
            SchemaCompatibility.SchemaPairCompatibility result =
                    SchemaCompatibility.checkReaderWriterCompatibility(current, writer);
            assertThat(result.getType())
                    .as("%s must read data written with %s: %s", type.getSimpleName(), released.getFileName(),
                            result.getResult().getIncompatibilities())
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }
    }

    @ParameterizedTest
    @ValueSource(classes = {SampleRequest.class, GeneratedImage.class, ModelVersion.class, ModelPromotion.class,
            SampleFailure.class})
    void newestSnapshotIsTheCurrentSchema(Class<?> type) throws Exception {
        List<Path> history = history(type.getSimpleName());
        Schema newest = parse(history.get(history.size() - 1));
        // The .avsc source, not the generated class's schema, which carries avro.java.string properties.
        Schema current = parse(Path.of("src/main/avro", type.getSimpleName() + ".avsc"));
        assertThat(newest)
                .as("changed %s: copy src/main/avro/%s.avsc to src/test/resources/schema-history/%s/v%d.avsc",
                        type.getSimpleName(), type.getSimpleName(), type.getSimpleName(), history.size() + 1)
                .isEqualTo(current);
    }

    private static List<Path> history(String name) throws URISyntaxException, IOException {
        URL dir = SchemaEvolutionTest.class.getResource("/schema-history/" + name);
        assertThat(dir).as("schema-history/%s", name).isNotNull();
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            return files.filter(f -> f.getFileName().toString().matches("v\\d+\\.avsc"))
                    .sorted(Comparator.comparingInt(SchemaEvolutionTest::versionOf))
                    .toList();
        }
    }

    private static int versionOf(Path file) {
        String name = file.getFileName().toString();
        return Integer.parseInt(name.substring(1, name.length() - ".avsc".length()));
    }

    private static Schema parse(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new Schema.Parser().parse(in);
        }
    }
}
