package dev.denoise.localstack;

import java.nio.file.Path;

/** The java launcher and classpath of this JVM, for starting the stack's processes. */
final class JavaCommand {
    private JavaCommand() {}

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String classpath() {
        return System.getProperty("java.class.path");
    }
}
