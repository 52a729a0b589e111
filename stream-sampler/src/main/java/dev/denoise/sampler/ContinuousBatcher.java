package dev.denoise.sampler;

import dev.denoise.diffusion.ComputeThread;
import dev.denoise.diffusion.DenoiserArchitecture;
import dev.denoise.diffusion.Sampler;
import dev.denoise.diffusion.StepBatch;
import dev.denoise.diffusion.Trajectory;
import dev.denoise.schemas.FailureReason;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step-level ("continuous") batching, as LLM servers batch by iteration: one running batch of up
 * to {@code maxBatch} slots, each an image on its own trajectory (its steps, sampler, label and
 * guidance). Every iteration on the compute thread advances the slots of one model version by one
 * step each, in one network pass; slots of other versions take the next turns. A finished slot's
 * image goes to its task's outbox at once and a waiting seed takes the slot at the next
 * iteration, chosen fairly between requests ({@link WaitingSeeds}). A request that fits in the
 * free slots enters at once; a larger one (a burst) enters as a pipeline, at most ⌈slots/steps⌉
 * seeds an iteration: it fills the batch within one trajectory's length, and from then on some of
 * its slots free at every iteration, so a request that arrives behind it waits an iteration for a
 * slot, not a whole trajectory. The seeds stay in their tasks' pending stores until the stream
 * thread emits their images, so after a crash unfinished seeds start again from their seeds.
 */
final class ContinuousBatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ContinuousBatcher.class);
    /** Weight of the newest iteration in {@code msPerIteration}. */
    private static final double SMOOTHING = 0.2;

    /** One incarnation of a task's processor: where its outcomes go, until it is abandoned. */
    static final class Owner {
        private final ConcurrentLinkedQueue<SeedOutcome> outbox = new ConcurrentLinkedQueue<>();
        private volatile boolean abandoned;
    }

    /** A seed in a slot: its trajectory on the version it started on, until its image is done. */
    private record Slot(Owner owner, WaitingSeeds.Request request, PendingSeed seed, LoadedModel model,
                        Trajectory trajectory, String sampler, Float guidance, long startMs) {}

    private final ComputeThread compute;
    private final ModelRegistry registry;
    private final int maxSlots;
    private final long noModelWaitMs;
    private final ServiceMetrics metrics;

    // Guarded by this.
    private final WaitingSeeds waiting = new WaitingSeeds();
    private final List<Slot> slots = new ArrayList<>();
    /** The versions with slots, in the order they take turns. */
    private final ArrayDeque<LoadedModel> turns = new ArrayDeque<>();
    /** An iteration is queued or running on the compute thread. */
    private boolean iterationQueued;
    /** Set once, when the instance stops: no seed gets a new slot. */
    private boolean draining;
    /** Seeds out of the waiting queue whose outcome the stream thread has not taken yet. */
    private int undelivered;
    /** The recent iterations' mean duration (exponentially weighted, {@link #SMOOTHING}), for {@link StepBudget}; 0 before the first. */
    private double msPerIteration;

    /** Which sampler of a version's architecture a seed gets, by the name asked for or defaulted. */
    @FunctionalInterface
    interface SamplerChoice {
        Sampler of(DenoiserArchitecture architecture, String name);
    }

    /** The version's own samplers: a TorchScript version's walk its own schedule. */
    static final SamplerChoice OWN_SAMPLERS = (architecture, name) -> architecture.family().sampler(name).orElseThrow();

    private final SamplerChoice samplers;
    private final LongSupplier clock;

    ContinuousBatcher(ComputeThread compute, ModelRegistry registry, ServiceSettings settings, ServiceMetrics metrics) {
        this(compute, registry, OWN_SAMPLERS, settings, metrics);
    }

    ContinuousBatcher(ComputeThread compute, ModelRegistry registry, SamplerChoice samplers, ServiceSettings settings,
                      ServiceMetrics metrics) {
        this(compute, registry, samplers, settings, metrics, System::currentTimeMillis);
    }

    /** @param clock the time iterations admit seeds at (tests hold it still) */
    ContinuousBatcher(ComputeThread compute, ModelRegistry registry, SamplerChoice samplers, ServiceSettings settings,
                      ServiceMetrics metrics, LongSupplier clock) {
        this.clock = clock;
        this.compute = compute;
        this.registry = registry;
        this.samplers = samplers;
        this.maxSlots = settings.maxBatch();
        this.noModelWaitMs = settings.noModelWait().toMillis();
        this.metrics = metrics;
    }

    Owner register() {
        return new Owner();
    }

    /** Queues accepted seeds of {@code owner}; they get slots on the compute thread. */
    synchronized void offer(Owner owner, List<PendingSeed> seeds) {
        seeds.forEach(seed -> waiting.add(owner, seed));
        kick();
    }

    /** The outcomes ready for {@code owner}'s stream thread to emit, oldest first. */
    List<SeedOutcome> collect(Owner owner) {
        List<SeedOutcome> ready = new ArrayList<>();
        int seeds = 0;
        for (SeedOutcome outcome = owner.outbox.poll(); outcome != null; outcome = owner.outbox.poll()) {
            ready.add(outcome);
            seeds += outcome.seeds().size();
        }
        if (seeds > 0) {
            settled(seeds);
        }
        return ready;
    }

    /**
     * Forgets {@code owner}: its waiting seeds now, its slots at the next iteration, its
     * outcomes not yet collected. Its seeds are still in its store, for whoever restores it.
     */
    synchronized void abandon(Owner owner) {
        owner.abandoned = true;
        waiting.removeOwner(owner);
        int dropped = 0;
        for (SeedOutcome outcome = owner.outbox.poll(); outcome != null; outcome = owner.outbox.poll()) {
            dropped += outcome.seeds().size();
        }
        settled(dropped);
    }

    /**
     * From a stream thread's punctuation: fails waiting requests past their deadline or whose
     * model has not come within the no-model wait, and restarts the iterations if work waits.
     */
    synchronized void expire(long nowMs) {
        for (WaitingSeeds.Request request : waiting.requests()) {
            if (nowMs >= request.deadlineAtMs) {
                failDeadline(request, nowMs);
            } else if (nowMs - request.acceptedAtMs > noModelWaitMs && !servable(request.head())) {
                PendingSeed head = request.head();
                FailureReason reason = !registry.knows(head.model()) ? (registry.isEmpty()
                        ? FailureReason.NO_MODEL_AVAILABLE : FailureReason.UNKNOWN_MODEL) : FailureReason.UNKNOWN_VERSION;
                fail(request, List.of(), reason, "No " + (head.pinnedVersion() == 0 ? "version" : "version "
                        + head.pinnedVersion()) + " of model '" + head.model() + "' arrived within " + noModelWaitMs
                        + " ms; models served: " + new TreeSet<>(registry.latestVersions().keySet()));
            }
        }
        kick();
    }

    /** From now on no seed gets a slot: the first step of a graceful stop. */
    synchronized void stopAdmitting() {
        draining = true;
    }

    /**
     * Takes no new seeds into slots and waits up to {@code timeout} until every seed in a slot has
     * been collected by its stream thread; false if some were not.
     */
    synchronized boolean drain(Duration timeout) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (undelivered > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** Seeds in slots now, for tests. */
    synchronized int occupied() {
        return slots.size();
    }

    /** Seeds waiting for a slot now, for tests. */
    synchronized int waiting() {
        return waiting.size();
    }

    private void settled(int seeds) {
        synchronized (this) {
            undelivered -= seeds;
            notifyAll();
        }
    }

    /** Queues an iteration on the compute thread unless one is queued or there is nothing to do. */
    private void kick() {
        if (iterationQueued || (slots.isEmpty() && (waiting.size() == 0 || draining))) {
            return;
        }
        iterationQueued = true;
        try {
            compute.submit(this::iterate);
        } catch (RejectedExecutionException e) {
            iterationQueued = false; // the compute thread is closing; the seeds stay in the stores
        }
    }

    /**
     * One iteration, on the compute thread: fill free slots, then one step for one version's
     * slots; the next iteration is queued if this one moved any. Whatever goes wrong is logged
     * and never leaves the batcher stopped: the stream threads' punctuations kick it again.
     */
    private Void iterate() {
        boolean moved = false;
        try {
            List<Slot> group;
            synchronized (this) {
                dropAbandonedSlots();
                if (!draining) {
                    admit(clock.getAsLong());
                }
                group = nextGroup();
            }
            if (!group.isEmpty()) {
                step(group);
                moved = true;
            }
        } catch (RuntimeException | Error e) {
            LOG.error("A batcher iteration failed", e);
        } finally {
            synchronized (this) {
                iterationQueued = false;
                if (moved) {
                    kick();
                }
            }
        }
        return null;
    }

    /** One network pass for {@code group}; finished images to their outboxes, or failures if the engine failed. */
    private void step(List<Slot> group) {
        long started = System.nanoTime();
        RuntimeException failure = null;
        int rows = 0;
        try {
            rows = StepBatch.advance(group.get(0).model().denoiser(), group.stream().map(Slot::trajectory).toList());
        } catch (RuntimeException e) {
            failure = e;
        }
        long nanos = System.nanoTime() - started;
        synchronized (this) {
            msPerIteration = msPerIteration == 0 ? nanos / 1e6 : (1 - SMOOTHING) * msPerIteration + SMOOTHING * nanos / 1e6;
            metrics.iteration(slots.size(), group.size(), rows, nanos);
            if (failure != null) {
                failGroup(group, failure);
            } else {
                finish(group);
            }
        }
    }

    /** Slots of abandoned owners free at the next iteration: the compute thread may be stepping them when abandoned. */
    private void dropAbandonedSlots() {
        for (Iterator<Slot> it = slots.iterator(); it.hasNext(); ) {
            Slot slot = it.next();
            if (slot.owner().abandoned) {
                it.remove();
                free(slot);
                undelivered--;
                notifyAll();
            }
        }
    }

    private void admit(long nowMs) {
        Set<WaitingSeeds.Request> blocked = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<WaitingSeeds.Request, Integer> admitted = new IdentityHashMap<>();
        while (slots.size() < maxSlots) {
            WaitingSeeds.Request request = waiting.nextFair(r -> !blocked.contains(r));
            if (request == null) {
                return;
            }
            int steps = start(request, nowMs);
            if (steps == 0) {
                blocked.add(request);
                continue;
            }
            // A request larger than the free slots starts a step's share of them an iteration, so
            // its seeds finish (and free their slots) spread over the steps, not all at once.
            int perIteration = request.size() <= maxSlots - slots.size() ? Integer.MAX_VALUE
                    : (maxSlots + steps - 1) / steps;
            if (admitted.merge(request, 1, Integer::sum) >= perIteration) {
                blocked.add(request);
            }
        }
    }

    /**
     * Gives {@code request}'s next seed a slot on the version serving it now; returns the steps it
     * was started with, 0 if none started: no version serves it yet (it waits), or the request failed.
     */
    private int start(WaitingSeeds.Request request, long nowMs) {
        if (nowMs >= request.deadlineAtMs) {
            failDeadline(request, nowMs);
            return 0;
        }
        PendingSeed next = request.head();
        Optional<LoadedModel> acquired = registry.acquire(next.model(), next.pinnedVersion());
        if (acquired.isEmpty()) {
            return 0;
        }
        LoadedModel model = acquired.get();
        DenoiserArchitecture architecture = model.denoiser().architecture();
        Optional<RequestValidation.Rejection> rejection = RequestValidation.check(next, model.model(), architecture);
        if (rejection.isPresent()) {
            registry.release(model);
            fail(request, List.of(), rejection.get().reason(), rejection.get().message());
            return 0;
        }
        PendingSeed seed = waiting.take(request).withStepsOr(architecture.family().defaultSteps());
        String samplerName = seed.sampler() != null ? seed.sampler() : architecture.family().defaultSampler().name();
        Float guidance = architecture.classConditioned()
                ? (Float.isNaN(seed.guidance()) ? architecture.family().defaultGuidance() : seed.guidance()) : null;
        Trajectory trajectory;
        boolean degraded;
        try {
            Sampler sampler = samplers.of(architecture, samplerName);
            int requested = seed.steps();
            seed = seed.withSteps(withinDeadline(seed, request, sampler, nowMs));
            degraded = seed.steps() < requested;
            trajectory = sampler.start(seed.seed(), seed.steps(),
                    seed.label() == PendingSeed.NO_LABEL ? architecture.noClass() : seed.label(),
                    guidance == null ? 0f : guidance, Math.toIntExact(architecture.imageShape().size()));
        } catch (RuntimeException e) {
            registry.release(model);
            boolean steps = e instanceof IllegalArgumentException;
            fail(request, List.of(seed), steps ? FailureReason.INVALID_STEPS : FailureReason.INTERNAL_ERROR,
                    "Model " + model + " cannot sample it: " + e);
            return 0;
        }
        if (degraded) {
            metrics.degraded();
        }
        slots.add(new Slot(request.owner, request, seed, model, trajectory, samplerName, guidance, nowMs));
        if (!turns.contains(model)) {
            turns.addLast(model);
        }
        undelivered++;
        metrics.samplingChanged(1);
        metrics.queueWait(request.priority, nowMs - seed.acceptedAtMs());
        return seed.steps();
    }

    /**
     * The steps {@code seed} starts with: fewer than asked where its request allows them and would
     * otherwise miss its deadline ({@link StepBudget}). Under fair shares a request's last seed
     * starts about when the whole queue has drained, so the seeds waiting behind it are all those
     * waiting, of every request: they take the free slots left now, then every slot in waves, one
     * step of a slot costing the recent mean iteration times the versions taking turns.
     */
    private int withinDeadline(PendingSeed seed, WaitingSeeds.Request request, Sampler sampler, long nowMs) {
        if (seed.minSteps() == 0) {
            return seed.steps();
        }
        int behind = waiting.size();
        int startingNow = Math.min(behind, Math.max(0, maxSlots - slots.size() - 1));
        double msPerStep = msPerIteration * Math.max(1, turns.size());
        return StepBudget.steps(seed.steps(), seed.minSteps(), sampler.stepCounts(), nowMs, request.deadlineAtMs,
                behind - startingNow, maxSlots, msPerStep);
    }

    /** The slots of the version whose turn it is; the versions with slots take turns. */
    private List<Slot> nextGroup() {
        while (!turns.isEmpty()) {
            LoadedModel model = turns.pollFirst();
            List<Slot> group = slots.stream().filter(slot -> slot.model() == model).toList();
            if (!group.isEmpty()) {
                turns.addLast(model);
                return group;
            }
        }
        return List.of();
    }

    private void finish(List<Slot> group) {
        long nowMs = System.currentTimeMillis();
        for (Slot slot : group) {
            if (!slot.trajectory().finished() || !slots.remove(slot)) {
                continue;
            }
            Trajectory trajectory = slot.trajectory();
            DenoiserArchitecture architecture = slot.model().denoiser().architecture();
            SeedOutcome.Sampled image = new SeedOutcome.Sampled(slot.seed(), trajectory.image(),
                    Math.toIntExact(architecture.imageShape().get(2)), Math.toIntExact(architecture.imageShape().get(1)),
                    Math.toIntExact(architecture.imageShape().get(0)),
                    slot.model().model(), slot.model().version(), slot.sampler(), slot.guidance(), slot.startMs(), nowMs);
            metrics.image();
            if (!slot.request().answered) {
                slot.request().answered = true;
                metrics.firstImage(nowMs - slot.seed().acceptedAtMs());
            }
            free(slot);
            deliver(slot.owner(), image); // the seed stays counted as undelivered until collected
        }
    }

    /** The engine failed a step: one failure per request in the group, so none waits forever. */
    private void failGroup(List<Slot> group, RuntimeException error) {
        LOG.error("A step of {} seeds failed", group.size(), error);
        Map<WaitingSeeds.Request, List<PendingSeed>> byRequest = new LinkedHashMap<>();
        for (Slot slot : group) {
            if (slots.remove(slot)) {
                free(slot);
                byRequest.computeIfAbsent(slot.request(), r -> new ArrayList<>()).add(slot.seed());
            }
        }
        byRequest.forEach((request, seeds) -> deliver(request.owner, new SeedOutcome.Failed(request.requestId,
                FailureReason.INTERNAL_ERROR, "Sampling failed: " + error, seeds)));
    }

    /** Gives back a slot's hold on its version. */
    private void free(Slot slot) {
        registry.release(slot.model());
        metrics.samplingChanged(-1);
    }

    private void failDeadline(WaitingSeeds.Request request, long nowMs) {
        fail(request, List.of(), FailureReason.DEADLINE_EXCEEDED, request.size() + " seeds had not started when the "
                + "deadline passed " + (nowMs - request.deadlineAtMs) + " ms ago");
    }

    /** Fails a request's waiting seeds, and {@code taken} ones already out of the queue, with one failure. */
    private void fail(WaitingSeeds.Request request, List<PendingSeed> taken, FailureReason reason, String message) {
        List<PendingSeed> seeds = new ArrayList<>(taken);
        seeds.addAll(waiting.remove(request));
        undelivered += seeds.size();
        deliver(request.owner, new SeedOutcome.Failed(request.requestId, reason, message, seeds));
    }

    private void deliver(Owner owner, SeedOutcome outcome) {
        if (owner.abandoned) {
            undelivered -= outcome.seeds().size();
            notifyAll();
        } else {
            owner.outbox.add(outcome);
        }
    }

    private boolean servable(PendingSeed seed) {
        Optional<LoadedModel> model = registry.acquire(seed.model(), seed.pinnedVersion());
        model.ifPresent(registry::release);
        return model.isPresent();
    }
}
