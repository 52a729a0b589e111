package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.localstack.FreePorts;
import dev.denoise.localstack.StackEndpoints;
import dev.denoise.testsupport.KafkaStackTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@KafkaStackTest
class TopicsCommandTest {

    @Test
    void createMakesTheFiveTopicsOnceAndThenChangesNothing(StackEndpoints stack) {
        String prefix = "cli-" + UUID.randomUUID();
        String[] args = {"topics", "create", "--bootstrap-server", stack.bootstrapServers(),
                "--schema-registry-url", stack.schemaRegistryUrl(), "--topic-prefix", prefix, "--partitions", "2"};

        CliRun first = CliRun.of(args);
        CliRun second = CliRun.of(args);

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains(prefix + ".sample-requests", prefix + ".generated-images",
                prefix + ".model-versions", prefix + ".model-promotions", prefix + ".sample-failures");
        assertThat(second.exitCode()).isZero();
        assertThat(second.out()).contains("all topics exist");
    }

    @Test
    void anUnreachableBrokerFailsWithItsAddress() {
        String address = "127.0.0.1:" + FreePorts.find();
        CliRun run = CliRun.of("topics", "create", "--bootstrap-server", address);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("denoise: Kafka at " + address).doesNotContain("\tat ");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        CliRun run = CliRun.of("topics", "create", "--no-such-option");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown option: '--no-such-option'");
    }
}
