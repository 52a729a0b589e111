package dev.denoise.sampler;

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
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * pending store; batches across requests are sampled on the stream thread, and each image is
 * emitted in the same transaction that deletes its seed from the store and commits the consumed
 * offsets, so after a crash exactly the unfinished seeds are sampled again.
 */
final class SamplingProcessor implements Processor<String, byte[], String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(SamplingProcessor.class);
    /**
     * Sampling work done per call before control goes back to Streams, which then commits: it keeps
     * each transaction short (so a crash's open transaction is short-lived too) and the consumer
     * polling well within max.poll.interval.ms.
     */
    private static final long WORK_BUDGET_MS = 1_000;

    private final Deserializer<SampleRequest> requests;
    private final SamplerSettings settings;
    private final ModelRegistry registry;
    private final Map<String, Sampler> samplers;
    private final RequestValidation validation;
    private final SamplerMetrics metrics;
    private final PendingQueue queue = new PendingQueue();
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, PendingSeed> pending;

    SamplingProcessor(Deserializer<SampleRequest> requests, SamplerSettings settings, ModelRegistry registry,
                      Map<String, Sampler> samplers, SamplerMetrics metrics) {
        this.requests = requests;
        this.metrics = metrics;
        this.settings = settings;
        this.registry = registry;
        this.samplers = samplers;
        this.validation = new RequestValidation(settings, samplers.keySet());
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.pending = context.getStateStore(SamplerTopology.PENDING_STORE);
        try (KeyValueIterator<String, PendingSeed> restored = pending.all()) {
            restored.forEachRemaining(entry -> queue.add(entry.value));
        }
        if (queue.size() > 0) {
            LOG.info("Resuming {} accepted seeds restored from the pending store", queue.size());
        }
        context.schedule(settings.maxWait(), PunctuationType.WALL_CLOCK_TIME, this::drain);
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
        for (int i = 0; i < seeds.size(); i++) {
            PendingSeed seed = new PendingSeed(request.getRequestId(), i, seeds.get(i), request.getSteps(),
                    request.getSampler(), request.getModel(), pinned, now);
            pending.put(seed.key(), seed);
            queue.add(seed);
        }
        runFullBatches(now);
        metrics.pending(queue.size());
    }

    /** Runs every batch that is due, then fails seeds whose model never came. */
    private void drain(long now) {
        long deadline = now + WORK_BUDGET_MS;
        while (now < deadline && runNextBatch(now, settings.maxWait().toMillis())) {
            now = System.currentTimeMillis();
        }
        for (PendingSeed seed : queue.takeExpired(now, settings.noModelWait().toMillis(), this::servable)) {
            pending.delete(seed.key());
            FailureReason reason = !registry.knows(seed.model()) ? (registry.isEmpty()
                    ? FailureReason.NO_MODEL_AVAILABLE : FailureReason.UNKNOWN_MODEL) : FailureReason.UNKNOWN_VERSION;
            fail(seed.requestId(), reason, "No " + (seed.pinnedVersion() == 0 ? "version" : "version " + seed.pinnedVersion())
                    + " of model '" + seed.model() + "' arrived within " + settings.noModelWait().toMillis() + " ms", null);
        }
        metrics.pending(queue.size());
    }

    private void runFullBatches(long now) {
        long deadline = now + WORK_BUDGET_MS;
        while (now < deadline && runNextBatch(now, Long.MAX_VALUE)) {
            now = System.currentTimeMillis();
        }
    }

    private boolean runNextBatch(long now, long maxWaitMs) {
        Optional<List<PendingSeed>> batch = queue.nextBatch(now, settings.maxBatch(), maxWaitMs, this::servable);
        batch.ifPresent(this::sample);
        return batch.isPresent();
    }

    private boolean servable(PendingSeed.BatchKey key) {
        Optional<LoadedModel> model = registry.acquire(key.model(), key.pinnedVersion());
        model.ifPresent(registry::release);
        return model.isPresent();
    }

    private void sample(List<PendingSeed> batch) {
        PendingSeed first = batch.get(0);
        LoadedModel model = registry.acquire(first.model(), first.pinnedVersion()).orElseThrow(
                () -> new IllegalStateException("model " + first.model() + " vanished between check and use"));
        try {
            long[] seeds = batch.stream().mapToLong(PendingSeed::seed).toArray();
            long start = System.currentTimeMillis();
            long startNanos = System.nanoTime();
            List<byte[]> images = samplers.get(first.sampler()).sample(model.denoiser(), seeds, first.steps());
            metrics.batch(batch.size(), first.steps(), System.nanoTime() - startNanos);
            long end = System.currentTimeMillis();
            int width = 28;
            int height = images.get(0).length / width;
            for (int i = 0; i < batch.size(); i++) {
                PendingSeed seed = batch.get(i);
                GeneratedImage image = GeneratedImage.newBuilder()
                        .setRequestId(seed.requestId())
                        .setSeed(seed.seed())
                        .setIndex(seed.index())
                        .setModel(model.model())
                        .setModelVersion(model.version())
                        .setSteps(seed.steps())
                        .setSampler(seed.sampler())
                        .setWidth(width)
                        .setHeight(height)
                        .setPng(ByteBuffer.wrap(PngImages.encode(images.get(i), width, height)))
                        .setQueueWaitMs(start - seed.acceptedAtMs())
                        .setSamplingMs(end - start)
                        .setCreatedAt(Instant.ofEpochMilli(end))
                        .build();
                context.forward(new Record<String, Object>(seed.requestId(), image, end), SamplerTopology.IMAGES_SINK);
                pending.delete(seed.key());
            }
        } finally {
            registry.release(model);
        }
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
