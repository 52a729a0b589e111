package dev.denoise.localstack;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** The stack's small {@code .properties} files: broker configuration, cluster record, secrets, client settings. */
final class PropertiesFiles {
    private PropertiesFiles() {}

    static Properties read(Path file) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
        return properties;
    }

    /** The file's settings as a map, e.g. a client's configuration. */
    static Map<String, String> readMap(Path file) {
        Properties properties = read(file);
        Map<String, String> map = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name)));
        return map;
    }

    /** Writes {@code properties} to {@code file}, making its folder if missing. */
    static Path write(Properties properties, Path file, String comment) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer out = Files.newBufferedWriter(file)) {
            properties.store(out, comment);
        }
        return file;
    }
}
