package dev.denoise.sampler;

import dev.denoise.schemas.FailureReason;
import dev.denoise.schemas.SourceRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Requests in, images and failures out, for one task. An accepted request's seeds go to the
 * changelogged pending store and to the {@link ContinuousBatcher}, which samples them on the compute
 * thread while the stream thread goes on reading, emitting and committing. Each image is emitted
 * in the same transaction that deletes its seed from the store and commits the consumed offsets,
 * so after a crash exactly the seeds without an emitted image are sampled again.
 */
final class SamplingProcessor implements Processor<String, byte[], String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(SamplingProcessor.class);

    /** Where this processor's state and records go, as the topology names them. */
    record Names(String pendingStore, String imagesSink, String failuresSink) {}

    private final RequestIntake intake;
    private final ContinuousBatcher batcher;
    private final ServiceMetrics metrics;
    private final Duration tick;
    private final Names names;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, PendingSeed> pending;
    private ContinuousBatcher.Owner owner;
    /** Seeds of this task handed to the batcher and not yet emitted or failed. */
    private long offered;

    SamplingProcessor(RequestIntake intake, ContinuousBatcher batcher, ServiceMetrics metrics, Duration tick, Names names) {
        this.intake = intake;
        this.batcher = batcher;
        this.metrics = metrics;
        this.tick = tick;
        this.names = names;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.pending = context.getStateStore(names.pendingStore());
        forgetWork(); // Streams may init a processor again (a task resumed or revived): the store is the truth
        owner = batcher.register();
        Map<String, List<PendingSeed>> restored = new LinkedHashMap<>();
        try (KeyValueIterator<String, PendingSeed> entries = pending.all()) {
            entries.forEachRemaining(entry -> restored.computeIfAbsent(entry.value.requestId(), id -> new ArrayList<>())
                    .add(entry.value));
        }
        restored.values().forEach(this::offer);
        if (offered > 0) {
            LOG.info("Resuming {} accepted seeds restored from the pending store", offered);
        }
        context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata metadata = context.recordMetadata().orElseThrow();
        RequestIntake.Verdict verdict = intake.accept(metadata.topic(), record.key(), record.value(),
                System.currentTimeMillis());
        if (verdict instanceof RequestIntake.Refused refused) {
            fail(refused.requestId(), refused.reason(), refused.message(),
                    refused.keepSource() ? OutputRecords.source(metadata, record.key(), record.value()) : null, List.of());
        } else if (verdict instanceof RequestIntake.Accepted accepted) {
            accepted.seeds().forEach(seed -> pending.put(seed.key(), seed));
            offer(accepted.seeds());
        }
        emitFinished();
    }

    private void offer(List<PendingSeed> seeds) {
        offered += seeds.size();
        batcher.offer(owner, seeds);
        metrics.pendingChanged(seeds.size()); // after: whoever sees the seeds counted sees them with the batcher
    }

    /** Emits what the batcher finished; fails what waited past its deadline or for a model that never came. */
    private void tick(long now) {
        emitFinished();
        batcher.expire(now);
    }

    private void emitFinished() {
        for (SeedOutcome outcome : batcher.collect(owner)) {
            if (outcome instanceof SeedOutcome.Sampled sampled) {
                context.forward(new Record<String, Object>(sampled.seed().requestId(), OutputRecords.image(sampled),
                        sampled.endMs()), names.imagesSink());
            } else if (outcome instanceof SeedOutcome.Failed failed) {
                fail(failed.requestId(), failed.reason(), failed.message(), null, failed.seeds());
            }
            outcome.seeds().forEach(seed -> pending.delete(seed.key()));
            offered -= outcome.seeds().size();
            metrics.pendingChanged(-outcome.seeds().size());
        }
    }

    /** The batcher forgets this task's seeds; they stay in the store for whichever instance gets the task next. */
    @Override
    public void close() {
        forgetWork();
    }

    private void forgetWork() {
        if (owner != null) {
            batcher.abandon(owner);
            owner = null;
        }
        metrics.pendingChanged(-offered);
        offered = 0;
    }

    /** @param seeds the request's seeds it covers; empty for all of them */
    private void fail(String requestId, FailureReason reason, String message, SourceRecord source, List<PendingSeed> seeds) {
        LOG.warn("{}: {} ({})", reason, message, requestId);
        metrics.failure(reason);
        context.forward(new Record<String, Object>(requestId, OutputRecords.failure(requestId, reason, message, source,
                seeds), System.currentTimeMillis()), names.failuresSink());
    }
}
