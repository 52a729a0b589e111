package dev.denoise.localstack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loopback ports a start of the stack needs, each with the option that moves it. All are
 * checked before anything starts, so one attempt names every conflict rather than the first.
 */
final class RequiredPorts {
    private final Map<Integer, List<String>> optionsByPort = new LinkedHashMap<>();

    /** @param option how the port is chosen, e.g. {@code --registry-port} */
    RequiredPorts add(int port, String option) {
        optionsByPort.computeIfAbsent(port, p -> new ArrayList<>()).add(option);
        return this;
    }

    /** One line per port that cannot be had: outside the port range, asked for twice, or in use. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        optionsByPort.forEach((port, options) -> {
            String named = String.join(", ", options);
            if (port < 1 || port > 65535) {
                problems.add(port + " is not a TCP port (" + named + ")");
            } else if (options.size() > 1) {
                problems.add("port " + port + " is asked for twice (" + named + ")");
            } else if (!FreePorts.isFree(port)) {
                problems.add("port " + port + " is in use (" + named + ")");
            }
        });
        return problems;
    }

    void requireFree() {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new IllegalStateException("The local stack cannot start on 127.0.0.1: " + String.join("; ", problems)
                    + ". Stop what holds a port, or move the stack with the option named.");
        }
    }
}
