package dev.ferrymq.server.alarm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The broker's resource alarms, as RabbitMQ's: a memory alarm while used memory is above the high watermark and a
 * disk alarm while free disk space is below the limit. While any alarm is set, publishing connections are blocked
 * ({@code connection.blocked}) and consumers keep draining. Checked periodically and whenever a limit changes.
 *
 * <p>Thread-safe: the state is read from any thread (management, metrics, connections); checks run on one
 * scheduler thread or the caller of a setter, serialized by this object's monitor.
 */
public final class Alarms implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Alarms.class);

    /** Told on every change of {@link #anyAlarm()}; called on the checking thread, so it must not block. */
    public interface Listener {
        void alarmsChanged(boolean anyAlarm, String reason);
    }

    private final LongSupplier usedMemory;
    private final Runnable collectGarbage;
    private final long memoryLimitBase;
    private final LongSupplier freeDisk;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile double memoryHighWatermark;
    private volatile long diskFreeLimit;
    private volatile boolean memoryAlarm;
    private volatile boolean diskAlarm;
    private ScheduledFuture<?> periodicCheck;

    /**
     * @param usedMemory bytes of memory in use (see {@link MemoryProbe})
     * @param memoryLimitBase what the watermark is a fraction of (the max heap)
     * @param freeDisk free bytes on the data directory's file system (see {@link DiskProbe})
     */
    public Alarms(LongSupplier usedMemory, long memoryLimitBase, double memoryHighWatermark, LongSupplier freeDisk,
                  long diskFreeLimit) {
        this(usedMemory, () -> { }, memoryLimitBase, memoryHighWatermark, freeDisk, diskFreeLimit);
    }

    /**
     * @param collectGarbage run before a reading above the watermark is believed: the heap measured after the
     *                       last young collection still holds old-generation garbage (delivered messages), and
     *                       without a collection a memory alarm could outlive the memory it was raised for, since
     *                       blocked publishers stop the allocation that would trigger one
     */
    public Alarms(LongSupplier usedMemory, Runnable collectGarbage, long memoryLimitBase, double memoryHighWatermark,
                  LongSupplier freeDisk, long diskFreeLimit) {
        this.collectGarbage = collectGarbage;
        this.usedMemory = usedMemory;
        this.memoryLimitBase = memoryLimitBase;
        this.memoryHighWatermark = memoryHighWatermark;
        this.freeDisk = freeDisk;
        this.diskFreeLimit = diskFreeLimit;
    }

    /** Checks now and then every {@code intervalMillis} on {@code scheduler}. */
    public synchronized void start(ScheduledExecutorService scheduler, long intervalMillis) {
        check();
        periodicCheck = scheduler.scheduleWithFixedDelay(this::checkSafely, intervalMillis, intervalMillis,
                TimeUnit.MILLISECONDS);
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public boolean isMemoryAlarm() {
        return memoryAlarm;
    }

    public boolean isDiskAlarm() {
        return diskAlarm;
    }

    public boolean anyAlarm() {
        return memoryAlarm || diskAlarm;
    }

    /** Why publishers are blocked, in RabbitMQ's words: "low on memory", "low on disk" or both; "" if not. */
    public String reason() {
        boolean memory = memoryAlarm;
        boolean disk = diskAlarm;
        return memory && disk ? "low on memory, low on disk" : memory ? "low on memory" : disk ? "low on disk" : "";
    }

    public double memoryHighWatermark() {
        return memoryHighWatermark;
    }

    public long memoryLimit() {
        return (long) (memoryHighWatermark * memoryLimitBase);
    }

    public long diskFreeLimit() {
        return diskFreeLimit;
    }

    /** Changes the memory watermark at runtime (RabbitMQ's {@code set_vm_memory_high_watermark}); 0 disables. */
    public void setMemoryHighWatermark(double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("memory high watermark must be in [0, 1]: " + fraction);
        }
        memoryHighWatermark = fraction;
        check();
    }

    /** Changes the free-disk limit at runtime (RabbitMQ's {@code set_disk_free_limit}); 0 disables. */
    public void setDiskFreeLimit(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("disk free limit must not be negative: " + bytes);
        }
        diskFreeLimit = bytes;
        check();
    }

    /** Re-evaluates both alarms and tells the listeners if the overall state changed. */
    public synchronized void check() {
        boolean wasAlarm = anyAlarm();
        double watermark = memoryHighWatermark;
        boolean memory = false;
        if (watermark > 0) {
            long used = usedMemory.getAsLong();
            if (used > memoryLimit()) {
                collectGarbage.run();
                used = usedMemory.getAsLong();
            }
            memory = used > memoryLimit();
            if (memory != memoryAlarm) {
                logChange("memory", memory, "used " + used + " bytes, limit " + memoryLimit());
            }
        }
        long limit = diskFreeLimit;
        boolean disk = false;
        if (limit > 0) {
            long free = freeDisk.getAsLong();
            disk = free >= 0 && free < limit;
            if (disk != diskAlarm) {
                logChange("disk", disk, "free " + free + " bytes, limit " + limit);
            }
        }
        memoryAlarm = memory;
        diskAlarm = disk;
        if (anyAlarm() != wasAlarm) {
            for (Listener listener : listeners) {
                listener.alarmsChanged(anyAlarm(), reason());
            }
        }
    }

    private void checkSafely() {
        try {
            check();
        } catch (RuntimeException e) {
            log.error("resource alarm check failed", e);
        }
    }

    private static void logChange(String resource, boolean set, String detail) {
        if (set) {
            log.warn("{} resource limit alarm set ({}): publishers will be blocked until it clears", resource,
                    detail);
        } else {
            log.info("{} resource limit alarm cleared ({})", resource, detail);
        }
    }

    @Override
    public synchronized void close() {
        if (periodicCheck != null) {
            periodicCheck.cancel(false);
        }
    }
}
