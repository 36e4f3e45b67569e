package dev.ferrymq.broker.queue.stream;

/**
 * A stream's retention ({@code x-max-length-bytes}, {@code x-max-age}): whole segments are deleted from the
 * head, never the active one. By size, the oldest segment goes while the stream is larger than the limit; by age,
 * once the segment after it starts before the cutoff, so every record in it is older. Immutable.
 */
final class Retention implements StreamLog.RetentionCheck {
    /** How often a stream checks its retention besides on append (age-based retention needs the clock). */
    static final long PERIOD_MILLIS = 5_000;

    private final long maxBytes;
    private final long maxAgeMillis;

    Retention(StreamArguments arguments) {
        this.maxBytes = arguments.maxLengthBytes();
        this.maxAgeMillis = arguments.maxAgeMillis();
    }

    boolean any() {
        return maxBytes >= 0 || maxAgeMillis >= 0;
    }

    /** Whether an append took the stream over its size limit (cheap enough to ask after every append). */
    boolean overSize(StreamLog log) {
        return maxBytes >= 0 && log.sizeOnDisk() > maxBytes;
    }

    @Override
    public boolean deletes(long totalBytes, long oldestBytes, OffsetIndex.Entry nextSegmentStart) {
        if (maxBytes >= 0 && totalBytes > maxBytes) {
            return true;
        }
        return maxAgeMillis >= 0 && nextSegmentStart.timestamp() < System.currentTimeMillis() - maxAgeMillis;
    }

    /** Deletes every head segment past the limits; returns how many. */
    int apply(StreamLog log) {
        int deleted = 0;
        while (any() && log.deleteOldestSegment(this)) {
            deleted++;
        }
        return deleted;
    }
}
