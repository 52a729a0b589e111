package dev.denoise.cli;

import dev.denoise.schemas.TopicProvisioner;
import dev.denoise.schemas.Topics;
import dev.denoise.schemas.config.ConnectionSettings;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code denoise topics create}: the system's topics, created where missing (idempotent). */
@Command(name = "topics", description = "Manage the system's Kafka topics.",
        subcommands = {TopicsCommand.Create.class})
final class TopicsCommand {

    @Command(name = "create", description = "Create the requests, images, model-versions, model-promotions and failures topics "
            + "where missing, and register their schemas, so any Confluent client finds the contracts before the first record.")
    static final class Create implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection = new ConnectionOptions();

        @Option(names = "--partitions", defaultValue = "4",
                description = "Partitions of the requests, images and failures topics; they bound the number of "
                        + "sampler instances (default ${DEFAULT-VALUE}).")
        int partitions;

        @Override
        public Integer call() throws Exception {
            List<String> created = TopicProvisioner.ensureTopics(connection.settings(), partitions);
            System.out.println(created.isEmpty() ? "all topics exist" : "created " + String.join(", ", created));
            System.out.println("their schemas are registered at " + connection.settings().schemaRegistryUrl());
            return 0;
        }
    }

    /** The ACLs of a secured stack for these topics and a sampler of {@code samplerApplicationId} ({@link StackAcls}). */
    static void createAcls(ConnectionSettings settings, String samplerApplicationId) throws InterruptedException {
        try (Admin admin = TopicProvisioner.admin(settings)) {
            StackAcls.apply(admin, Topics.of(settings), samplerApplicationId);
        }
    }
}
