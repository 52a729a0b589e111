package dev.denoise.sampler;

import dev.denoise.diffusion.ComputeThread;
import dev.denoise.diffusion.CondUNet;
import dev.denoise.diffusion.DenoiserArchitecture;
import dev.denoise.diffusion.PngImages;
import dev.denoise.diffusion.Sampler;
import dev.denoise.schemas.FailureReason;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleFailure;
import dev.denoise.schemas.SampleRequest;
import dev.denoise.schemas.SourceRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests in, images and failures out. An accepted request's seeds go to the changelogged
 * pending store; batches across requests run on the compute thread while the stream thread goes
 * on reading, emitting and committing. Each image is emitted in the same transaction that
 * deletes its seed from the store and commits the consumed offsets, so after a crash exactly the
 * seeds without an emitted image are sampled again.
 */
final class SamplingProcessor implements Processor<String, byte[], String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(SamplingProcessor.class);
    /**
     * Batches handed to the compute thread and not finished, across all tasks of the instance:
     * two keep it busy while the stream thread emits the previous batch, commits and polls; more
     * would only add latency.
     */
    private static final int BATCHES_AHEAD = 2;

    private final Deserializer<SampleRequest> requests;
    private final SamplerSettings settings;
    private final ModelRegistry registry;
    private final ComputeThread compute;
    private final BatchesInFlight inFlight;
    private final Map<String, Sampler> samplers;
    private final RequestValidation validation;
    private final SamplerMetrics metrics;
    private PendingQueue queue = new PendingQueue();
    /** This task's batches on the compute thread, oldest first (the compute thread runs them in order). */
    private final ArrayDeque<RunningBatch> running = new ArrayDeque<>();
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, PendingSeed> pending;

    private record RunningBatch(List<PendingSeed> seeds, CompletableFuture<SampledBatch> result) {}

    /** @param guidance the scale used, or null for a model without guidance */
    private record SampledBatch(String model, int version, String sampler, Float guidance, List<byte[]> images,
                                long startMs, long endMs, long nanos) {}

    SamplingProcessor(Deserializer<SampleRequest> requests, SamplerSettings settings, ModelRegistry registry,
                      ComputeThread compute, BatchesInFlight inFlight, Map<String, Sampler> samplers,
                      SamplerMetrics metrics) {
        this.requests = requests;
        this.metrics = metrics;
        this.settings = settings;
        this.registry = registry;
        this.compute = compute;
        this.inFlight = inFlight;
        this.samplers = samplers;
        this.validation = new RequestValidation(settings, samplers.keySet());
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.pending = context.getStateStore(SamplerTopology.PENDING_STORE);
        forgetWork(); // Streams may init a processor again (a task resumed or revived): the store is the truth
        try (KeyValueIterator<String, PendingSeed> restored = pending.all()) {
            restored.forEachRemaining(entry -> queue.add(entry.value));
        }
        if (queue.size() > 0) {
            LOG.info("Resuming {} accepted seeds restored from the pending store", queue.size());
            metrics.pendingChanged(queue.size());
        }
        context.schedule(settings.maxWait(), PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        SampleRequest request;
        try {
            request = requests.deserialize(sourceTopic(), record.value());
        } catch (RuntimeException e) {
            fail(null, FailureReason.UNDECODABLE, "Undecodable request: " + e.getMessage(), source(record));
            return;
        }
        if (request == null) {
            fail(record.key(), FailureReason.UNDECODABLE, "Empty request (null value)", source(record));
            return;
        }
        Optional<RequestValidation.Rejection> rejection = validation.check(request);
        if (rejection.isPresent()) {
            fail(request.getRequestId(), rejection.get().reason(), rejection.get().message(), null);
            return;
        }
        int pinned = request.getPinnedVersion() == null ? 0 : request.getPinnedVersion();
        if (pinned != 0 && registry.knows(request.getModel())
                && !registry.loadedVersions(request.getModel()).contains(pinned)) {
            fail(request.getRequestId(), FailureReason.UNKNOWN_VERSION, "Model " + request.getModel() + " has no version "
                    + pinned + " loaded; loaded: " + registry.loadedVersions(request.getModel()), null);
            return;
        }
        long now = System.currentTimeMillis();
        List<Long> seeds = request.getSeeds();
        List<PendingSeed> accepted = new ArrayList<>(seeds.size());
        for (int i = 0; i < seeds.size(); i++) {
            accepted.add(new PendingSeed(request.getRequestId(), i, seeds.get(i), request.getSteps(), request.getSampler(),
                    request.getModel(), pinned, now, request.getClassLabel() == null ? PendingSeed.NO_LABEL
                    : request.getClassLabel(), request.getGuidanceScale() == null ? Float.NaN : request.getGuidanceScale()));
        }
        // Checked against the version that would serve it now; one that arrives later is checked when the batch starts.
        Optional<RequestValidation.Rejection> mismatch = servingCheck(accepted.get(0));
        if (mismatch.isPresent()) {
            fail(request.getRequestId(), mismatch.get().reason(), mismatch.get().message(), null);
            return;
        }
        for (PendingSeed seed : accepted) {
            pending.put(seed.key(), seed);
            queue.add(seed);
        }
        metrics.pendingChanged(seeds.size());
        emitFinished();
        dispatch(now, Long.MAX_VALUE); // full batches only; partial ones wait for the tick
    }

    /** Emits what the compute thread finished, hands it the batches that are due, expires the unservable. */
    private void tick(long now) {
        emitFinished();
        dispatch(now, settings.maxWait().toMillis());
        for (PendingSeed seed : queue.takeExpired(now, settings.noModelWait().toMillis(), this::servable)) {
            pending.delete(seed.key());
            metrics.pendingChanged(-1);
            FailureReason reason = !registry.knows(seed.model()) ? (registry.isEmpty()
                    ? FailureReason.NO_MODEL_AVAILABLE : FailureReason.UNKNOWN_MODEL) : FailureReason.UNKNOWN_VERSION;
            fail(seed.requestId(), reason, "No " + (seed.pinnedVersion() == 0 ? "version" : "version " + seed.pinnedVersion())
                    + " of model '" + seed.model() + "' arrived within " + settings.noModelWait().toMillis() + " ms", null);
        }
    }

    private void dispatch(long now, long maxWaitMs) {
        while (compute.backlog() < BATCHES_AHEAD && inFlight.tryStart()) {
            Optional<List<PendingSeed>> batch = queue.nextBatch(now, settings.maxBatch(), maxWaitMs, this::servable);
            if (batch.isEmpty() || !start(batch.get())) {
                inFlight.finished();
                return;
            }
        }
    }

    private Optional<RequestValidation.Rejection> servingCheck(PendingSeed seed) {
        Optional<LoadedModel> serving = registry.acquire(seed.model(), seed.pinnedVersion());
        try {
            return serving.flatMap(model -> RequestValidation.check(seed, model.model(), model.denoiser().architecture()));
        } finally {
            serving.ifPresent(registry::release);
        }
    }

    private boolean servable(PendingSeed.BatchKey key) {
        Optional<LoadedModel> model = registry.acquire(key.model(), key.pinnedVersion());
        model.ifPresent(registry::release);
        return model.isPresent();
    }

    /**
     * Binds the batch to the version serving now (a swap meanwhile does not affect it) and queues
     * it on the compute thread; false, with the seeds back in the queue, if the version was
     * unloaded since the check or the compute thread is closing.
     */
    private boolean start(List<PendingSeed> batch) {
        PendingSeed first = batch.get(0);
        Optional<LoadedModel> acquired = registry.acquire(first.model(), first.pinnedVersion());
        if (acquired.isEmpty()) {
            batch.forEach(queue::add); // they fail as UNKNOWN_VERSION if it does not come back in time
            return false;
        }
        LoadedModel model = acquired.get();
        CompletableFuture<SampledBatch> result;
        try {
            result = compute.submit(() -> sample(model, batch));
        } catch (RejectedExecutionException e) {
            registry.release(model);
            batch.forEach(queue::add);
            return false;
        }
        result.whenComplete((sampled, error) -> registry.release(model));
        running.addLast(new RunningBatch(batch, result));
        metrics.samplingChanged(batch.size());
        return true;
    }

    /** Runs on the compute thread: the batch with the sampler, labels and guidance it asked for, or the model's defaults. */
    private SampledBatch sample(LoadedModel model, List<PendingSeed> batch) {
        PendingSeed first = batch.get(0);
        DenoiserArchitecture architecture = model.denoiser().architecture();
        RequestValidation.check(first, model.model(), architecture).ifPresent(rejection -> {
            throw new RequestValidation.RejectedRequest(rejection);
        });
        String samplerName = first.sampler() != null ? first.sampler() : architecture.samplers().get(0);
        Sampler sampler = samplers.get(samplerName);
        long[] seeds = batch.stream().mapToLong(PendingSeed::seed).toArray();
        long startMs = System.currentTimeMillis();
        long startNanos = System.nanoTime();
        List<byte[]> images;
        Float guidance = null;
        if (architecture.classConditioned()) {
            int[] labels = batch.stream().mapToInt(s -> s.label() == PendingSeed.NO_LABEL ? CondUNet.NO_CLASS : s.label())
                    .toArray();
            guidance = Float.isNaN(first.guidance()) ? architecture.defaultGuidance() : first.guidance();
            images = sampler.sample(model.denoiser(), seeds, labels, guidance, first.steps());
        } else {
            images = sampler.sample(model.denoiser(), seeds, first.steps());
        }
        return new SampledBatch(model.model(), model.version(), samplerName, guidance, images, startMs,
                System.currentTimeMillis(), System.nanoTime() - startNanos);
    }

    private void emitFinished() {
        while (!running.isEmpty() && running.peekFirst().result().isDone()) {
            RunningBatch batch = running.pollFirst();
            metrics.samplingChanged(-batch.seeds().size());
            boolean stillPending = false;
            try {
                emit(batch.seeds(), batch.result().join());
            } catch (CancellationException e) {
                stillPending = true; // the compute thread is closing
                batch.seeds().forEach(queue::add);
            } catch (CompletionException e) {
                failBatch(batch.seeds(), e.getCause());
            } finally {
                if (!stillPending) {
                    metrics.pendingChanged(-batch.seeds().size());
                }
                inFlight.finished();
            }
        }
    }

    private void emit(List<PendingSeed> batch, SampledBatch sampled) {
        metrics.batch(batch.size(), batch.get(0).steps(), sampled.nanos());
        int width = 28;
        int height = sampled.images().get(0).length / width;
        for (int i = 0; i < batch.size(); i++) {
            PendingSeed seed = batch.get(i);
            GeneratedImage image = GeneratedImage.newBuilder()
                    .setRequestId(seed.requestId())
                    .setSeed(seed.seed())
                    .setIndex(seed.index())
                    .setModel(sampled.model())
                    .setModelVersion(sampled.version())
                    .setSteps(seed.steps())
                    .setSampler(sampled.sampler())
                    .setClassLabel(seed.label() == PendingSeed.NO_LABEL ? null : seed.label())
                    .setGuidanceScale(sampled.guidance())
                    .setWidth(width)
                    .setHeight(height)
                    .setPng(ByteBuffer.wrap(PngImages.encode(sampled.images().get(i), width, height)))
                    .setQueueWaitMs(sampled.startMs() - seed.acceptedAtMs())
                    .setSamplingMs(sampled.endMs() - sampled.startMs())
                    .setCreatedAt(Instant.ofEpochMilli(sampled.endMs()))
                    .build();
            context.forward(new Record<String, Object>(seed.requestId(), image, sampled.endMs()), SamplerTopology.IMAGES_SINK);
            pending.delete(seed.key());
        }
    }

    /**
     * A batch the serving model refused (its version arrived after the request) or the engine
     * could not sample: one failure per request in it, so none waits forever.
     */
    private void failBatch(List<PendingSeed> batch, Throwable error) {
        FailureReason reason = FailureReason.INTERNAL_ERROR;
        String message = "Sampling failed: " + error;
        if (error instanceof RequestValidation.RejectedRequest rejected) {
            reason = rejected.rejection().reason();
            message = rejected.rejection().message();
        } else {
            LOG.error("Sampling a batch of {} failed", batch.size(), error);
        }
        for (String requestId : batch.stream().map(PendingSeed::requestId).distinct().toList()) {
            fail(requestId, reason, message, null);
        }
        batch.forEach(seed -> pending.delete(seed.key()));
    }

    /**
     * Batches still on the compute thread finish there and free their model; their seeds stay in
     * the store, so whichever instance gets this task next samples them again.
     */
    @Override
    public void close() {
        forgetWork();
    }

    /** Drops the queued and running batches; every seed without an emitted image is still in the store. */
    private void forgetWork() {
        int sampling = running.stream().mapToInt(batch -> batch.seeds().size()).sum();
        metrics.pendingChanged(-(queue.size() + sampling));
        metrics.samplingChanged(-sampling);
        running.forEach(batch -> inFlight.finished());
        running.clear();
        queue = new PendingQueue();
    }

    private void fail(String requestId, FailureReason reason, String message, SourceRecord source) {
        LOG.warn("{}: {} ({})", reason, message, requestId);
        metrics.failure(reason);
        SampleFailure failure = SampleFailure.newBuilder()
                .setRequestId(requestId)
                .setReason(reason)
                .setMessage(message)
                .setSource(source)
                .setFailedAt(Instant.now())
                .build();
        context.forward(new Record<String, Object>(requestId, failure, System.currentTimeMillis()),
                SamplerTopology.FAILURES_SINK);
    }

    private String sourceTopic() {
        return context.recordMetadata().map(RecordMetadata::topic).orElse("");
    }

    private SourceRecord source(Record<String, byte[]> record) {
        RecordMetadata metadata = context.recordMetadata().orElseThrow();
        return SourceRecord.newBuilder()
                .setTopic(metadata.topic())
                .setPartition(metadata.partition())
                .setOffset(metadata.offset())
                .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key().getBytes(StandardCharsets.UTF_8)))
                .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .build();
    }
}
