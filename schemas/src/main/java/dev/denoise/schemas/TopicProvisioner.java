package dev.denoise.schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the system's topics where they are missing; running it again changes nothing. */
public final class TopicProvisioner {
    private TopicProvisioner() {}

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
