package dev.denoise.schemas;

import dev.denoise.schemas.config.ConnectionSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the system's topics where they are missing and registers their contracts; running it
 * again changes nothing.
 */
public final class TopicProvisioner {
    private TopicProvisioner() {}

    /**
     * As below, through an admin client of {@code settings}, every topic replicated as the broker's
     * default; then every topic's schemas registered ({@link Topics#registerSchemas}), so any
     * Confluent client finds the contracts before the first record.
     *
     * @return the names of the topics this call created
     */
    public static List<String> ensureTopics(ConnectionSettings settings, int partitions) throws InterruptedException {
        Topics topics = Topics.of(settings);
        List<String> created;
        try (Admin admin = admin(settings)) {
            created = ensureTopics(admin, topics, partitions, Optional.empty());
        } catch (IllegalStateException e) {
            throw new IllegalStateException("Kafka at " + settings.bootstrapServers() + ": " + e.getMessage(), e);
        }
        topics.registerSchemas();
        return created;
    }

    /** An admin client that gives up on an unreachable broker within 15 s. */
    public static Admin admin(ConnectionSettings settings) {
        Map<String, Object> config = new HashMap<>(settings.clientConfig());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(config);
    }

    /**
     * @param partitions partitions of the requests, images and failures topics; the model-versions
     *     and model-promotions topics have one each, so each is read in the order it was written
     * @param replicationFactor empty for the broker's {@code default.replication.factor}
     * @return the names of the topics this call created
     */
    public static List<String> ensureTopics(Admin admin, Topics topics, int partitions, Optional<Short> replicationFactor)
            throws InterruptedException {
        Set<String> existing;
        try {
            existing = admin.listTopics().names().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot list topics: " + e.getCause().getMessage(), e.getCause());
        }
        List<String> created = new ArrayList<>();
        for (Topics.Topic<?, ?> topic : topics.all()) {
            if (existing.contains(topic.name())) {
                continue;
            }
            int count = topic == topics.modelVersions || topic == topics.modelPromotions ? 1 : partitions;
            NewTopic newTopic = new NewTopic(topic.name(), Optional.of(count), replicationFactor).configs(topic.config());
            try {
                admin.createTopics(List.of(newTopic)).all().get();
                created.add(topic.name());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) { // lost a race with another creator: fine
                    throw new IllegalStateException("Cannot create topic " + topic.name() + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
            }
        }
        return created;
    }
}
