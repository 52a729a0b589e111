package dev.denoise.localstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One long-running JVM of the local stack, started detached from the CLI that launched it and
 * remembered by a pid file. Only a process whose command line starts with this service's marker
 * property is taken for it, so a recycled pid is never killed by mistake. (The marker comes first
 * because the JDK may see only the start of a long command line.)
 */
final class StackService {
    private final String name;
    private final Path dir;
    private final String marker;

    StackService(String name, Path dir) {
        this.name = name;
        this.dir = dir;
        this.marker = "-Ddenoise.stack.service=" + name;
    }

    String name() {
        return name;
    }

    Path dir() {
        return dir;
    }

    Path logFile() {
        return dir.resolve(name + ".log");
    }

    private Path pidFile() {
        return dir.resolve(name + ".pid");
    }

    /** The running process this service recorded, if it is still alive. */
    Optional<ProcessHandle> process() {
        try {
            if (!Files.exists(pidFile())) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile()).trim());
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Starts a JVM in its own session, output to the log file, and records its pid.
     *
     * @param command the java launcher followed by its arguments
     */
    ProcessHandle start(List<String> command) throws IOException {
        Files.createDirectories(dir);
        List<String> detached = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            detached.add("/usr/bin/setsid"); // a new session: the process outlives the CLI and its terminal
        }
        detached.add(command.get(0));
        detached.add(marker);
        detached.addAll(command.subList(1, command.size()));
        Process process = new ProcessBuilder(detached)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        Files.writeString(pidFile(), Long.toString(process.pid()), StandardCharsets.UTF_8);
        return process.toHandle();
    }

    /** Stops the recorded process (SIGTERM, then SIGKILL after {@code grace}); true if one was running. */
    boolean stop(Duration grace) throws IOException {
        Optional<ProcessHandle> process = process();
        process.ifPresent(p -> {
            p.destroy();
            try {
                p.onExit().get(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
                p.onExit().join();
            }
        });
        Files.deleteIfExists(pidFile());
        return process.isPresent();
    }

    /** The last lines of the log, to explain a failed start. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + logFile() + ")";
        }
    }
}
