package dev.denoise.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A tools folder whose "Apicurio distribution" is a jar running {@link PortHolder}: the stack starts
 * it as its registry, a real detached JVM with a pid file, in a fraction of a second instead of the
 * ~15 s the registry takes, so starts that go wrong can be tested in the unit lane.
 */
final class StandInRegistry {
    private StandInRegistry() {}

    /** Makes the runner jar {@link ApicurioRegistry#command} launches, under {@code toolsDir}. */
    static Path tools(Path toolsDir) throws IOException {
        String version = apicurioVersion();
        Path jar = toolsDir.resolve("apicurio-registry-app-" + version).resolve("apicurio-registry-app-" + version + "-runner.jar");
        Files.createDirectories(jar.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, PortHolder.class.getName());
        String entry = PortHolder.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest);
                InputStream classFile = PortHolder.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            classFile.transferTo(out);
            out.closeEntry();
        }
        return toolsDir;
    }

    private static String apicurioVersion() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = ApicurioRegistry.class.getResourceAsStream("apicurio.properties")) {
            properties.load(in);
        }
        return properties.getProperty("version");
    }
}
