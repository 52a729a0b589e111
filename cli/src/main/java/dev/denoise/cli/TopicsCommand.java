package dev.denoise.cli;

import dev.denoise.schemas.TopicProvisioner;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code denoise topics create}: the system's topics, created where missing (idempotent). */
@Command(name = "topics", description = "Manage the system's Kafka topics.",
        subcommands = {TopicsCommand.Create.class})
final class TopicsCommand {

    @Command(name = "create", description = "Create the requests, images, model-versions, model-promotions and failures topics where missing.")
    static final class Create implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection = new ConnectionOptions();

        @Option(names = "--partitions", defaultValue = "4",
                description = "Partitions of the requests, images and failures topics; they bound the number of "
                        + "sampler instances (default ${DEFAULT-VALUE}).")
        int partitions;

        @Override
        public Integer call() throws Exception {
            List<String> created = create(connection.settings(), partitions);
            System.out.println(created.isEmpty() ? "all topics exist" : "created " + String.join(", ", created));
            return 0;
        }
    }

    static List<String> create(ConnectionSettings settings, int partitions) throws InterruptedException {
        try (Admin admin = admin(settings)) {
            return TopicProvisioner.ensureTopics(admin, Topics.of(settings), partitions, Optional.empty());
        } catch (IllegalStateException e) {
            throw new IllegalStateException("Kafka at " + settings.bootstrapServers() + ": " + e.getMessage(), e);
        }
    }

    /** The ACLs of a secured stack for these topics and a sampler of {@code samplerApplicationId} ({@link StackAcls}). */
    static void createAcls(ConnectionSettings settings, String samplerApplicationId) throws InterruptedException {
        try (Admin admin = admin(settings)) {
            StackAcls.apply(admin, Topics.of(settings), samplerApplicationId);
        }
    }

    private static Admin admin(ConnectionSettings settings) {
        Map<String, Object> config = new java.util.HashMap<>(settings.clientConfig());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(config);
    }
}
