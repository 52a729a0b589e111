package dev.denoise.client.loadtest;

import dev.denoise.client.SampleRequests;
import dev.denoise.schemas.SampleRequest;
import java.util.List;
import java.util.Objects;

/**
 * The model a load test asks for: its name, and a pinned version, or null for whichever version the
 * service serves as the latest. What actually served is read from the images ({@link ServedVersion}).
 */
public record RequestedModel(String name, Integer pinnedVersion) {

    public RequestedModel {
        Objects.requireNonNull(name, "name");
        if (pinnedVersion != null && pinnedVersion < 1) {
            throw new IllegalArgumentException("a model version is 1 or more, not " + pinnedVersion);
        }
    }

    /**
     * A request of {@code requestClass} for {@code seeds}. Its steps are the class's, the same for any
     * model so that runs compare; the sampler and guidance are left to the model's defaults.
     */
    SampleRequest request(Mix.RequestClass requestClass, List<Long> seeds) {
        return SampleRequests.newRequest("load-", seeds)
                .setModel(name)
                .setPinnedVersion(pinnedVersion)
                .setSteps(requestClass.steps())
                .build();
    }

    /** {@code mnist-cond, the latest version} or {@code mnist-cond, version 3 (pinned)}. */
    public String label() {
        return name + (pinnedVersion == null ? ", the latest version" : ", version " + pinnedVersion + " (pinned)");
    }
}
