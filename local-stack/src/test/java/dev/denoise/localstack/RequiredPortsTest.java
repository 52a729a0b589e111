package dev.denoise.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class RequiredPortsTest {

    @Test
    void everyPortThatCannotBeHadIsNamedWithItsOption() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int free = FreePorts.find();
            int twice = FreePorts.find();
            RequiredPorts required = new RequiredPorts()
                    .add(busy.getLocalPort(), "--registry-port")
                    .add(free, "--kafka-port")
                    .add(twice, "--controller-port")
                    .add(twice, "--kafka-port plus 2 for kafka-2")
                    .add(70000, "--kafka-port plus 4 for kafka-3");

            assertThat(required.problems()).containsExactly(
                    "port " + busy.getLocalPort() + " is in use (--registry-port)",
                    "port " + twice + " is asked for twice (--controller-port, --kafka-port plus 2 for kafka-2)",
                    "70000 is not a TCP port (--kafka-port plus 4 for kafka-3)");
            assertThatThrownBy(required::requireFree)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("The local stack cannot start on 127.0.0.1: port " + busy.getLocalPort())
                    .hasMessageContaining("; port " + twice)
                    .hasMessageContaining("; 70000 is not");
        }
    }

    @Test
    void freePortsPass() {
        new RequiredPorts().add(FreePorts.find(), "--kafka-port").requireFree();
    }

    @Test
    void aPortBoundButNotListeningIsNotFree() throws Exception {
        try (ServerSocket bound = new ServerSocket()) {
            bound.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            assertThat(FreePorts.isFree(bound.getLocalPort())).isFalse();
        }
    }
}
