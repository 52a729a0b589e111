package dev.denoise.cli;

import dev.denoise.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The ACLs of a secured stack, one role per principal, nothing more than the role needs: the
 * sampler reads requests and the model catalogue and writes images and failures (and owns its
 * Streams application's group, internal topics and transactional ids); a client writes requests
 * and reads images, failures and the catalogue (to check a model before asking for it); a
 * trainer reads and writes the catalogue. The admin is the broker's super user.
 */
final class StackAcls {
    private StackAcls() {}

    static List<AclBinding> of(Topics topics, String samplerApplicationId) {
        List<AclBinding> acls = new ArrayList<>();
        for (Topics.Topic<?, ?> topic : List.of(topics.requests, topics.modelVersions, topics.modelPromotions)) {
            allow(acls, "sampler", topic(topic), AclOperation.READ);
        }
        for (Topics.Topic<?, ?> topic : List.of(topics.images, topics.failures)) {
            allow(acls, "sampler", topic(topic), AclOperation.WRITE);
        }
        ResourcePattern internal = new ResourcePattern(ResourceType.TOPIC, samplerApplicationId, PatternType.PREFIXED);
        allow(acls, "sampler", internal, AclOperation.ALL);
        allow(acls, "sampler", new ResourcePattern(ResourceType.GROUP, samplerApplicationId, PatternType.PREFIXED),
                AclOperation.READ);
        allow(acls, "sampler", new ResourcePattern(ResourceType.TRANSACTIONAL_ID, samplerApplicationId, PatternType.PREFIXED),
                AclOperation.WRITE);

        allow(acls, "client", topic(topics.requests), AclOperation.WRITE);
        for (Topics.Topic<?, ?> topic : List.of(topics.images, topics.failures, topics.modelVersions, topics.modelPromotions)) {
            allow(acls, "client", topic(topic), AclOperation.READ);
        }

        for (Topics.Topic<?, ?> topic : List.of(topics.modelVersions, topics.modelPromotions)) {
            allow(acls, "trainer", topic(topic), AclOperation.READ);
            allow(acls, "trainer", topic(topic), AclOperation.WRITE);
        }
        return acls;
    }

    /** Creates the ACLs (creating an existing one again changes nothing). */
    static void apply(Admin admin, Topics topics, String samplerApplicationId) throws InterruptedException {
        try {
            admin.createAcls(of(topics, samplerApplicationId)).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot create the stack's ACLs: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static ResourcePattern topic(Topics.Topic<?, ?> topic) {
        return new ResourcePattern(ResourceType.TOPIC, topic.name(), PatternType.LITERAL);
    }

    private static void allow(List<AclBinding> acls, String principal, ResourcePattern resource, AclOperation operation) {
        acls.add(new AclBinding(resource, new AccessControlEntry("User:" + principal, "*", operation, AclPermissionType.ALLOW)));
    }
}
