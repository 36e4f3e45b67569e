package dev.ferrymq.store.schedule;

/**
 * A scheduled entry handed out by {@link ScheduleLog#takeDue} (or held in a loaded bucket until then).
 *
 * @param due     when it is due, in epoch milliseconds
 * @param key     the caller's grouping key (the broker: virtual host and exchange)
 * @param payload the caller's bytes
 * @param bucket  the bucket it lives in
 * @param offset  where its record starts in its bucket file (ties on {@code due} go in this order: arrival)
 */
public record DueEntry(long due, String key, byte[] payload, long bucket, long offset) implements Comparable<DueEntry> {
    @Override
    public int compareTo(DueEntry o) {
        int byDue = Long.compare(due, o.due);
        if (byDue != 0) {
            return byDue;
        }
        int byBucket = Long.compare(bucket, o.bucket);
        return byBucket != 0 ? byBucket : Long.compare(offset, o.offset);
    }
}
