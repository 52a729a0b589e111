package dev.denoise.client.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.denoise.schemas.SampleRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The model a load test asks for, as it reaches each request. */
class RequestedModelTest {
    private static final Mix.RequestClass FOUR_STEPS = new Mix.RequestClass(4, 2, 1);

    @Test
    void eachRequestNamesTheModelAndThePinnedVersion() {
        SampleRequest request = new RequestedModel("mnist-masked", 2).request(FOUR_STEPS, List.of(5L, 6L));

        assertThat(request.getModel()).isEqualTo("mnist-masked");
        assertThat(request.getPinnedVersion()).isEqualTo(2);
        assertThat(request.getSteps()).isEqualTo(4);
        assertThat(request.getSeeds()).containsExactly(5L, 6L);
        assertThat(request.getSampler()).as("the model's default sampler").isNull();
        assertThat(request.getRequestId()).startsWith("load-");
    }

    @Test
    void unpinnedLeavesTheVersionToTheService() {
        SampleRequest request = new RequestedModel("mnist-cond", null).request(FOUR_STEPS, List.of(0L));

        assertThat(request.getModel()).isEqualTo("mnist-cond");
        assertThat(request.getPinnedVersion()).isNull();
        assertThat(new RequestedModel("mnist", null).label()).isEqualTo("mnist, the latest version");
        assertThat(new RequestedModel("mnist", 7).label()).isEqualTo("mnist, version 7 (pinned)");
    }

    @Test
    void aVersionBelowOneIsRefused() {
        assertThatThrownBy(() -> new RequestedModel("mnist", 0)).hasMessageContaining("1 or more, not 0");
    }
}
