package dev.denoise.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The samplers here against PyTorch's own runs of diffusers' DDIM and DPM-Solver++(2M)
 * arithmetic, with the same TorchScript U-Net (random weights, diffusers' conventions) from the
 * same initial noise: {@code tools/torchscript/make_parity_fixtures.py} recorded each case's
 * timesteps and final samples. Every case's timesteps must match exactly and its final samples
 * within {@link #TOLERANCE}: float32 kernels of another libtorch and CPU round differently, and
 * the guided cases amplify that by the guidance scale at every step.
 */
class DiffusersParityTest {
    /** Largest difference allowed in any value of a final sample (the samples are of order 1). */
    static final double TOLERANCE = 5e-3;

    private static final JsonNode FIXTURES = read();

    private static JsonNode read() {
        try {
            return new ObjectMapper().readTree(TorchScriptModelTest.resource("parity.json"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<String> cases() {
        List<String> names = new ArrayList<>();
        FIXTURES.get("cases").forEach(c -> names.add(c.get("name").asText()));
        return names.stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void followsDiffusersStepForStep(String name) throws IOException {
        JsonNode fixture = null;
        for (JsonNode c : FIXTURES.get("cases")) {
            if (c.get("name").asText().equals(name)) {
                fixture = c;
            }
        }
        Map<String, String> config = new LinkedHashMap<>();
        fixture.get("scheduler_config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        DiffusersSchedule schedule = new DiffusersSchedule(SchedulerConfig.of(config, w -> { }));
        String samplerName = fixture.get("sampler").asText();
        int steps = fixture.get("steps").asInt();
        int[] expectedTimesteps = ints(fixture.get("timesteps"));
        assertThat(samplerName.equals("ddim") ? schedule.timesteps(steps) : schedule.dpmSolverTimesteps(steps))
                .as("timesteps of %s", name).containsExactly(expectedTimesteps);

        JsonNode image = FIXTURES.get("image");
        int classes = FIXTURES.get("classes").asInt();
        int noClass = FIXTURES.get("no_class").asInt();
        TorchScriptArchitecture architecture = new TorchScriptArchitecture(
                new ai.djl.ndarray.types.Shape(image.get(0).asLong(), image.get(1).asLong(), image.get(2).asLong()),
                classes, noClass, List.of(), schedule.config(), steps, 1f);
        DiffusersSampler sampler = new DiffusersSampler(samplerName, schedule, noClass);
        float guidance = (float) fixture.get("guidance").asDouble();
        int[] labels = ints(fixture.get("labels"));
        List<Trajectory> trajectories = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            trajectories.add(sampler.start(i, steps, labels[i] < 0 ? noClass : labels[i], guidance,
                    floats(fixture.get("noise").get(i))));
        }
        byte[] archive = TorchScriptModelTest.resource(FIXTURES.get("archive").asText());
        try (Denoiser denoiser = Denoiser.load(architecture, WeightsPackage.of(architecture, archive), Device.cpu())) {
            StepBatch.runToEnd(StepBatch.of(denoiser), denoiser.manager(), architecture.imageShape(), trajectories);
        }
        double worst = 0;
        for (int i = 0; i < labels.length; i++) {
            float[] expected = floats(fixture.get("final").get(i));
            float[] actual = trajectories.get(i).values();
            for (int p = 0; p < expected.length; p++) {
                worst = Math.max(worst, Math.abs(expected[p] - actual[p]));
            }
        }
        System.out.printf("parity %-40s max |difference| %.2e%n", name, worst);
        assertThat(worst).as("largest difference from PyTorch's final samples in %s", name).isLessThanOrEqualTo(TOLERANCE);
    }

    private static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asInt();
        }
        return values;
    }

    private static float[] floats(JsonNode array) {
        float[] values = new float[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) array.get(i).asDouble();
        }
        return values;
    }
}
