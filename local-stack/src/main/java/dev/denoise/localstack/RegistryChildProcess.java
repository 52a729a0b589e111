package dev.denoise.localstack;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An Apicurio Registry owned by this JVM (tests): in-memory storage, a free port, and stopped with
 * the JVM, even when the JVM is killed, by a small shell watchdog that follows its parent's pid.
 */
public final class RegistryChildProcess implements AutoCloseable {
    private final Process process;
    private final String url;
    private final Path log;

    private RegistryChildProcess(Process process, String url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    /** Starts the registry; {@link #awaitReady} waits for it, so the caller can start Kafka meanwhile. */
    public static RegistryChildProcess start(Path workDir, Path toolsDir) throws IOException {
        int port = FreePorts.find();
        List<String> registry = ApicurioRegistry.command(toolsDir, port, null);
        String watchdog = String.join(" ", registry.stream().map(RegistryChildProcess::quote).toList())
                + " & child=$!; trap 'kill $child 2>/dev/null' EXIT TERM;"
                + " while kill -0 " + ProcessHandle.current().pid() + " 2>/dev/null && kill -0 $child 2>/dev/null;"
                + " do sleep 1; done";
        Path log = workDir.resolve("registry.log");
        java.nio.file.Files.createDirectories(workDir);
        Process process = new ProcessBuilder("bash", "-c", watchdog)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new RegistryChildProcess(process, ApicurioRegistry.url(port), log);
    }

    public RegistryChildProcess awaitReady(Duration timeout) {
        try {
            Readiness.awaitRegistry(url, timeout, process::isAlive);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + " (log: " + log + ")", e);
        }
        Readiness.setBackwardCompatibility(url);
        return this;
    }

    public String url() {
        return url;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // the watchdog's trap stops the registry
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static String quote(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
    }
}
