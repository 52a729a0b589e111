package dev.denoise.sampler;

import dev.denoise.diffusion.PngImages;
import dev.denoise.schemas.FailureReason;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.SampleFailure;
import dev.denoise.schemas.SourceRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** The records the sampler writes: an image for a sampled seed, a failure (dead letter) with its cause. */
final class OutputRecords {
    private OutputRecords() {
    }

    static GeneratedImage image(SeedOutcome.Sampled sampled) {
        PendingSeed seed = sampled.seed();
        return GeneratedImage.newBuilder()
                .setRequestId(seed.requestId())
                .setSeed(seed.seed())
                .setIndex(seed.index())
                .setModel(sampled.model())
                .setModelVersion(sampled.version())
                .setSteps(seed.steps())
                .setSampler(sampled.sampler())
                .setClassLabel(seed.label() == PendingSeed.NO_LABEL ? null : seed.label())
                .setGuidanceScale(sampled.guidance())
                .setWidth(sampled.width())
                .setHeight(sampled.height())
                .setChannels(sampled.channels())
                .setPng(ByteBuffer.wrap(PngImages.encode(sampled.pixels(), sampled.width(), sampled.height(),
                        sampled.channels())))
                .setQueueWaitMs(sampled.startMs() - seed.acceptedAtMs())
                .setSamplingMs(sampled.endMs() - sampled.startMs())
                .setCreatedAt(Instant.ofEpochMilli(sampled.endMs()))
                .build();
    }

    /**
     * @param source the input record it came from, or null
     * @param seeds the request's seeds it covers; empty for all of them
     */
    static SampleFailure failure(String requestId, FailureReason reason, String message, SourceRecord source,
                                 List<PendingSeed> seeds) {
        return SampleFailure.newBuilder()
                .setRequestId(requestId)
                .setReason(reason)
                .setMessage(message)
                .setSource(source)
                .setSeedIndexes(seeds.stream().map(PendingSeed::index).sorted().toList())
                .setFailedAt(Instant.now())
                .build();
    }

    /** The coordinates and original bytes of an input record, for a failure that must carry them. */
    static SourceRecord source(RecordMetadata metadata, String key, byte[] value) {
        return SourceRecord.newBuilder()
                .setTopic(metadata.topic())
                .setPartition(metadata.partition())
                .setOffset(metadata.offset())
                .setKey(key == null ? null : ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .build();
    }
}
