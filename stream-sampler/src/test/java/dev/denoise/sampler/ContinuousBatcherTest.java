package dev.denoise.sampler;

import static dev.denoise.sampler.SamplerFixtures.condWeights;
import static dev.denoise.sampler.SamplerFixtures.trainedModel;
import static dev.denoise.sampler.SamplerFixtures.version;
import static dev.denoise.sampler.SamplerFixtures.weights;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.denoise.diffusion.ComputeThread;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.DenoiserArchitecture;
import dev.denoise.diffusion.Sampler;
import dev.denoise.schemas.FailureReason;
import dev.denoise.testsupport.Await;
import dev.denoise.trainer.ModelVersionPublisher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The continuous batcher on the compute thread with real (untrained) models, no Kafka: which seeds
 * get slots, in what order images come out, and that an image does not depend on its slot-mates.
 * Where the order matters, the test holds the compute thread and lets it run iteration by iteration.
 */
class ContinuousBatcherTest {
    private static final long NOW = System.currentTimeMillis();

    private final ComputeThread compute = new ComputeThread("batcher-test-compute");
    private final ModelRegistry registry = new ModelRegistry(Device.cpu(), compute, 3, 0.1);
    private final ServiceMetrics metrics = new ServiceMetrics();
    private final List<SeedOutcome> outcomes = new ArrayList<>();

    @BeforeEach
    void models() throws Exception {
        registry.install(version(1, weights(1)));
        registry.install(ModelVersionPublisher.toRecord(trainedModel("cond", condWeights(2)), 1, Instant.now()));
    }

    @AfterEach
    void close() {
        registry.close();
        compute.close();
    }

    private ContinuousBatcher batcher(int slots) {
        return batcher(slots, ContinuousBatcher.OWN_SAMPLERS);
    }

    private ContinuousBatcher batcher(int slots, ContinuousBatcher.SamplerChoice samplers) {
        return batcher(slots, samplers, System::currentTimeMillis);
    }

    private ContinuousBatcher batcher(int slots, ContinuousBatcher.SamplerChoice samplers, LongSupplier clock) {
        ServiceSettings settings = ServiceSettings.resolve(Map.of(ServiceSettings.MAX_BATCH.flag(), String.valueOf(slots)),
                Map.of());
        return new ContinuousBatcher(compute, registry, samplers, settings, metrics, clock);
    }

    /** Seeds of the article model that accept as few as {@code minSteps} to start by {@code deadlineAt}. */
    private static List<PendingSeed> urgent(String id, int seeds, int steps, int minSteps, long deadlineAt) {
        return IntStream.range(0, seeds).mapToObj(i -> new PendingSeed(id, i, i, steps, null, "mnist", 0, NOW,
                PendingSeed.NO_LABEL, Float.NaN, 1, deadlineAt, minSteps)).toList();
    }

    /** Collects outcomes until {@code seeds} seeds have one, punctuating at the held clock's time. */
    private void collectAt(long nowMs, ContinuousBatcher batcher, ContinuousBatcher.Owner owner, int seeds) throws Exception {
        Await.until(seeds + " seeds settled", () -> {
            batcher.expire(nowMs);
            outcomes.addAll(batcher.collect(owner));
            return outcomes.stream().mapToInt(o -> o.seeds().size()).sum() >= seeds;
        });
    }

    private Map<Integer, Long> stepsTaken() {
        assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(SeedOutcome.Sampled.class));
        return outcomes.stream().collect(Collectors.groupingBy(o -> ((SeedOutcome.Sampled) o).seed().steps(),
                TreeMap::new, Collectors.counting()));
    }

    private static long degraded(ServiceMetrics metrics) {
        return metrics.render(Map.of()).lines().filter(l -> l.startsWith("denoise_degraded_seeds_total "))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(' ') + 1))).sum();
    }

    /**
     * The clock stands still a millisecond before the deadline, so whether a seed's later batch-mates
     * start in time depends only on the waves ahead of them, each at least one measured iteration a step.
     */
    @Test
    void seedsThatWouldMakeTheirRequestMissItsDeadlineStartWithFewerStepsButNeverBelowMinSteps() throws Exception {
        long now = NOW;
        ContinuousBatcher batcher = batcher(2, ContinuousBatcher.OWN_SAMPLERS, () -> now);
        ContinuousBatcher.Owner owner = batcher.register();
        Hold hold = new Hold();
        batcher.offer(owner, urgent("urgent", 10, 40, 2, now + 1));
        hold.release();
        collectAt(now, batcher, owner, 10);
        // The first seed starts before any iteration has been timed, the last has nothing behind it:
        // both keep their 40 steps. Each of the eight between has seeds behind it that would start a
        // wave of 40 steps late, and no count from 2 to 39 gets them in within the millisecond left.
        assertThat(stepsTaken()).containsExactly(Map.entry(2, 8L), Map.entry(40, 2L));
        assertThat(degraded(metrics)).as("denoise_degraded_seeds_total").isEqualTo(8);
    }

    @Test
    void aRequestThatFitsTheFreeSlotsKeepsItsStepsHoweverCloseItsDeadline() throws Exception {
        long now = NOW;
        ContinuousBatcher batcher = batcher(16, ContinuousBatcher.OWN_SAMPLERS, () -> now);
        ContinuousBatcher.Owner owner = batcher.register();
        batcher.offer(owner, article("timing", 2, 4)); // times an iteration first
        collectAt(now, batcher, owner, 2);
        outcomes.clear();
        Hold hold = new Hold();
        batcher.offer(owner, urgent("fits", 10, 40, 2, now + 1));
        hold.release();
        collectAt(now, batcher, owner, 10);
        assertThat(stepsTaken()).as("all ten start at once: nobody waits behind them").containsExactly(Map.entry(40, 10L));
        assertThat(degraded(metrics)).isZero();
    }


    private static List<PendingSeed> request(String id, String model, int seeds, int steps, int label, float guidance,
                                             int priority, long deadlineAt) {
        return request(id, model, null, seeds, steps, label, guidance, priority, deadlineAt);
    }

    private static List<PendingSeed> request(String id, String model, String sampler, int seeds, int steps, int label,
                                             float guidance, int priority, long deadlineAt) {
        return IntStream.range(0, seeds).mapToObj(i -> new PendingSeed(id, i, 1000L * id.hashCode() + i, steps, sampler,
                model, 0, NOW, label, guidance, priority, deadlineAt)).toList();
    }

    private static List<PendingSeed> article(String id, int seeds, int steps) {
        return request(id, "mnist", seeds, steps, PendingSeed.NO_LABEL, Float.NaN, 1, PendingSeed.NO_DEADLINE);
    }

    /**
     * Holds the compute thread: work handed to it meanwhile (the batcher's next iteration) waits
     * behind the hold, so a test offers seeds between iterations of its choosing.
     */
    private final class Hold {
        private record Gate(CountDownLatch running, CountDownLatch release) {}

        private Gate gate = gate();

        private Gate gate() {
            Gate next = new Gate(new CountDownLatch(1), new CountDownLatch(1));
            compute.submit(() -> {
                next.running().countDown();
                next.release().await();
                return null;
            });
            return next;
        }

        /**
         * Lets exactly the {@code iterations} next iterations run, then holds again: the next gate
         * queues behind the waiting iteration, and is running once that iteration has queued its
         * successor behind it.
         */
        void advance(int iterations) throws InterruptedException {
            for (int i = 0; i < iterations; i++) {
                Gate next = gate();
                gate.release().countDown();
                gate = next;
                assertThat(next.running().await(Await.PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            }
        }

        void release() {
            gate.release().countDown();
        }
    }

    /** Collects outcomes until {@code seeds} seeds have one, punctuating as a stream thread does. */
    private void collect(ContinuousBatcher batcher, ContinuousBatcher.Owner owner, int seeds) throws Exception {
        Await.until(seeds + " seeds settled", () -> {
            batcher.expire(System.currentTimeMillis());
            outcomes.addAll(batcher.collect(owner));
            return outcomes.stream().mapToInt(o -> o.seeds().size()).sum() >= seeds;
        });
    }

    private List<String> imageOrder() {
        return outcomes.stream().filter(SeedOutcome.Sampled.class::isInstance)
                .map(o -> ((SeedOutcome.Sampled) o).seed().requestId()).toList();
    }

    @Test
    void aSmallRequestSentBehindABurstFinishesBeforeTheBurst() throws Exception {
        ContinuousBatcher batcher = batcher(4);
        ContinuousBatcher.Owner owner = batcher.register();
        Hold hold = new Hold();
        batcher.offer(owner, article("burst", 24, 40));
        hold.advance(1);
        assertThat(batcher.occupied()).as("a burst larger than the free slots enters as a pipeline, "
                + "⌈4 slots / 40 steps⌉ seed an iteration").isEqualTo(1);
        hold.advance(4);
        assertThat(batcher.occupied()).isEqualTo(4);
        batcher.offer(owner, article("small", 2, 4));
        hold.release();
        collect(batcher, owner, 26);

        List<String> order = imageOrder();
        int lastSmall = order.lastIndexOf("small");
        int lastBurst = order.lastIndexOf("burst");
        assertThat(lastSmall).as("the small request's last image comes before the burst's last").isLessThan(lastBurst);
        assertThat(order.subList(0, lastSmall).stream().filter("burst"::equals).count())
                .as("burst images before the small request's last: those already sampling when it came").isEqualTo(4);
    }

    @Test
    void seedsOfDifferentStepCountsShareIterations() throws Exception {
        ContinuousBatcher batcher = batcher(8);
        ContinuousBatcher.Owner owner = batcher.register();
        Hold hold = new Hold();
        batcher.offer(owner, article("eight", 4, 8));
        batcher.offer(owner, article("forty", 4, 40));
        long iterationsBefore = iterations(metrics);
        hold.release();
        outcomes.clear();
        collect(batcher, owner, 8);
        // Both fit in the free slots and start together: the 8-step seeds ride along the 40-step ones.
        assertThat(iterations(metrics) - iterationsBefore).as("iterations for 4 seeds at 8 steps beside 4 at 40")
                .isEqualTo(40);
    }

    @Test
    void aSeedThatLeavesTheStepsToTheModelRunsItsFamilysDefault() throws Exception {
        ContinuousBatcher batcher = batcher(4);
        ContinuousBatcher.Owner owner = batcher.register();
        long iterationsBefore = iterations(metrics);
        batcher.offer(owner, request("default-steps", "cond", 2, PendingSeed.DEFAULT_STEPS, 3, Float.NaN, 1,
                PendingSeed.NO_DEADLINE));
        collect(batcher, owner, 2);

        int familyDefault = CondUNet.FAMILY.defaultSteps();
        assertThat(outcomes).hasSize(2).allSatisfy(outcome -> assertThat(outcome)
                .isInstanceOfSatisfying(SeedOutcome.Sampled.class, image -> assertThat(image.seed().steps())
                        .as("the steps its image records").isEqualTo(familyDefault)));
        assertThat(iterations(metrics) - iterationsBefore).as("iterations run").isEqualTo(familyDefault);
    }

    private static long iterations(ServiceMetrics metrics) {
        return metrics.render(Map.of()).lines().filter(l -> l.startsWith("denoise_iterations_total "))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(' ') + 1))).sum();
    }

    @Test
    void freeSlotsGoToWaitingRequestsByPriority() throws Exception {
        ContinuousBatcher batcher = batcher(4);
        ContinuousBatcher.Owner owner = batcher.register();
        Hold hold = new Hold();
        batcher.offer(owner, request("low", "mnist", 12, 1, PendingSeed.NO_LABEL, Float.NaN, 1, PendingSeed.NO_DEADLINE));
        batcher.offer(owner, request("high", "mnist", 12, 1, PendingSeed.NO_LABEL, Float.NaN, 3, PendingSeed.NO_DEADLINE));
        hold.release();
        collect(batcher, owner, 24);

        List<String> firstTwelve = imageOrder().subList(0, 12);
        assertThat(firstTwelve.stream().filter("high"::equals).count()).as("priority 3 gets three slots for every one")
                .isEqualTo(9);
        assertThat(metrics.render(Map.of())).contains("denoise_queue_wait_seconds_count{priority=\"3\"} 12",
                "denoise_queue_wait_seconds_count{priority=\"1\"} 12");
    }

    @Test
    void aSeedNotStartedByItsDeadlineFailsAndAStartedOneFinishes() throws Exception {
        ContinuousBatcher batcher = batcher(2);
        ContinuousBatcher.Owner owner = batcher.register();
        long deadline = System.currentTimeMillis() + 60_000;
        Hold hold = new Hold();
        batcher.offer(owner, request("late", "mnist", 6, 40, PendingSeed.NO_LABEL, Float.NaN, 1, deadline));
        hold.advance(2); // one seed starts an iteration: two sampling, four waiting
        batcher.expire(deadline + 1);
        hold.release();
        collect(batcher, owner, 6);

        assertThat(outcomes).filteredOn(SeedOutcome.Failed.class::isInstance).singleElement().satisfies(failure -> {
            assertThat(((SeedOutcome.Failed) failure).reason()).isEqualTo(FailureReason.DEADLINE_EXCEEDED);
            assertThat(failure.seeds()).as("the four still waiting").hasSize(4);
        });
        assertThat(imageOrder()).as("the two started ones finish").hasSize(2);

        outcomes.clear();
        batcher.offer(owner, request("past", "mnist", 3, 8, PendingSeed.NO_LABEL, Float.NaN, 1,
                System.currentTimeMillis() - 1));
        collect(batcher, owner, 3);
        assertThat(outcomes).singleElement().extracting(o -> ((SeedOutcome.Failed) o).reason())
                .isEqualTo(FailureReason.DEADLINE_EXCEEDED);
    }

    @Test
    void aSamplerThatThrowsFailsItsRequestAndTheBatcherGoesOn() throws Exception {
        Sampler broken = new Sampler() {
            @Override
            public String name() {
                return "article";
            }

            @Override
            public dev.denoise.diffusion.Trajectory start(long seed, int steps, int label, float scale, int pixels) {
                throw new IllegalStateException("broken on purpose");
            }
        };
        ContinuousBatcher batcher = batcher(4, (architecture, name) -> name.equals("article") ? broken
                : ContinuousBatcher.OWN_SAMPLERS.of(architecture, name));
        ContinuousBatcher.Owner owner = batcher.register();
        batcher.offer(owner, article("broken", 3, 8));
        batcher.offer(owner, request("fine", "cond", 2, 4, 1, 2f, 1, PendingSeed.NO_DEADLINE));
        collect(batcher, owner, 5);

        assertThat(outcomes).filteredOn(SeedOutcome.Failed.class::isInstance).singleElement().satisfies(failure -> {
            assertThat(((SeedOutcome.Failed) failure).reason()).isEqualTo(FailureReason.INTERNAL_ERROR);
            assertThat(((SeedOutcome.Failed) failure).message()).contains("broken on purpose");
            assertThat(failure.seeds()).hasSize(3);
        });
        assertThat(imageOrder()).containsExactly("fine", "fine");
        assertThat(batcher.occupied()).isZero();
        assertThat(registry.acquire("mnist", 0).map(model -> {
            registry.release(model);
            return model.version();
        })).as("the model still serves: its references balanced").contains(1);
    }

    /**
     * Requests of mixed steps, samplers (the stateful ddpm and dpm-solver among them), labels and
     * guidance (0, 1, 2), on Java-built versions and a TorchScript one of another shape, share
     * passes; each image is compared with the same seed sampled alone. PyTorch's kernels may round
     * differently at another batch size, so an image may differ by one grey level in a pixel, never more.
     */
    @Test
    void anImageDoesNotDependOnWhichSlotsItSharedIterationsWith() throws Exception {
        registry.install(ModelVersionPublisher.toRecord(SamplerFixtures.torchScriptModel("tiny", "tiny-unet.pt"), 1,
                Instant.now()));
        ContinuousBatcher batcher = batcher(6);
        ContinuousBatcher.Owner owner = batcher.register();
        List<List<PendingSeed>> requests = List.of(
                request("ddim-8", "cond", "ddim", 5, 8, 3, 2f, 1, PendingSeed.NO_DEADLINE),
                request("ddpm-20", "cond", "ddpm", 4, 20, PendingSeed.NO_LABEL, Float.NaN, 2, PendingSeed.NO_DEADLINE),
                request("dpm-solver-6", "cond", "dpm-solver", 4, 6, 7, 1f, 1, PendingSeed.NO_DEADLINE),
                request("ddim-4", "cond", "ddim", 3, 4, 5, 0f, 1, PendingSeed.NO_DEADLINE),
                request("article-12", "mnist", 4, 12, PendingSeed.NO_LABEL, Float.NaN, 1, PendingSeed.NO_DEADLINE),
                request("article-3", "mnist", 3, 3, PendingSeed.NO_LABEL, Float.NaN, 1, PendingSeed.NO_DEADLINE),
                request("tiny-dpm-5", "tiny", "dpm-solver", 3, 5, 2, 3f, 1, PendingSeed.NO_DEADLINE),
                request("tiny-ddpm-4", "tiny", "ddpm", 3, 4, PendingSeed.NO_LABEL, Float.NaN, 1, PendingSeed.NO_DEADLINE));
        requests.forEach(seeds -> batcher.offer(owner, seeds));
        collect(batcher, owner, 29);

        int identical = 0;
        for (SeedOutcome outcome : outcomes) {
            SeedOutcome.Sampled sampled = (SeedOutcome.Sampled) outcome;
            PendingSeed seed = sampled.seed();
            LoadedModel model = registry.acquire(seed.model(), 0).orElseThrow();
            byte[] alone;
            try {
                DenoiserArchitecture architecture = model.denoiser().architecture();
                Sampler sampler = architecture.family().sampler(sampled.sampler()).orElseThrow();
                alone = compute.call(() -> architecture.classConditioned()
                        ? sampler.sample(model.denoiser(), new long[] {seed.seed()},
                                new int[] {seed.label() == PendingSeed.NO_LABEL ? architecture.noClass() : seed.label()},
                                sampled.guidance(), seed.steps()).get(0)
                        : sampler.sample(model.denoiser(), new long[] {seed.seed()}, seed.steps()).get(0));
            } finally {
                registry.release(model);
            }
            for (int p = 0; p < alone.length; p++) {
                assertThat(Math.abs((alone[p] & 0xFF) - (sampled.pixels()[p] & 0xFF)))
                        .as("%s seed %d pixel %d", seed.requestId(), seed.seed(), p).isLessThanOrEqualTo(1);
            }
            identical += Arrays.equals(alone, sampled.pixels()) ? 1 : 0;
        }
        System.out.printf("%d of %d images bit-identical to the seed sampled alone%n", identical, outcomes.size());
        assertThat(outcomes).extracting(o -> ((SeedOutcome.Sampled) o).sampler()).as("every sampler ran")
                .contains("ddim", "ddpm", "dpm-solver", "article");
        assertThat(outcomes).filteredOn(o -> ((SeedOutcome.Sampled) o).model().equals("tiny"))
                .allSatisfy(o -> assertThat(((SeedOutcome.Sampled) o).channels()).isEqualTo(3));
        assertThat(metrics.render(Map.of())).contains("denoise_images_total 29");
    }
}
