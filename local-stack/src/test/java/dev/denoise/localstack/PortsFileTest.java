package dev.denoise.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PortsFileTest {
    @TempDir
    Path home;

    @Test
    void theRememberedPortsReadBackAsWritten() throws Exception {
        assertThat(PortsFile.read(home)).isEmpty();

        PortsFile.write(home, new LocalStack.Ports(19092, 19093, 18081));

        assertThat(PortsFile.read(home)).contains(new LocalStack.Ports(19092, 19093, 18081));
    }

    @Test
    void portOptionsLeftOutTakeTheRememberedPortsElseTheDefaults() throws Exception {
        assertThat(options().ports(home)).isEqualTo(LocalStack.Ports.DEFAULT);

        PortsFile.write(home, new LocalStack.Ports(19092, 19093, 18081));

        assertThat(options().ports(home)).isEqualTo(new LocalStack.Ports(19092, 19093, 18081));
        assertThat(options("--registry-port", "28081").ports(home)).isEqualTo(new LocalStack.Ports(19092, 19093, 28081));
    }

    private static StackPortOptions options(String... args) {
        return CommandLine.populateCommand(new StackPortOptions(), args);
    }
}
