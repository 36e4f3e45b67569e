package dev.ferrymq.server.alarm;

import io.netty.util.internal.PlatformDependent;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Memory in use for the memory alarm: the live heap as measured after the most recent garbage collection (the
 * current heap occupancy includes garbage and would raise false alarms) plus direct buffers (the JDK's and
 * Netty's own). Thread-safe.
 */
public final class MemoryProbe {
    /**
     * The heap pools' names, looked up on first use: the platform MXBeans load about a hundred classes (JMX,
     * java.util.logging, JFR's), which a broker with the memory alarm off (an embedded one) never needs.
     */
    private static final class HeapPools {
        static final Set<String> NAMES = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** A forced collection at most this often: only while the memory looks above the watermark. */
    private static final long MIN_GC_INTERVAL_NANOS = 5_000_000_000L;
    private static final java.util.concurrent.atomic.AtomicLong lastForcedGc = new java.util.concurrent.atomic.AtomicLong();

    private MemoryProbe() {
    }

    /**
     * Runs a full collection (rate-limited to one per 5 s), so that the next {@link #usedBytes()} measures live
     * data rather than old-generation garbage.
     */
    public static void collectGarbage() {
        long now = System.nanoTime();
        long last = lastForcedGc.get();
        if (last != 0 && now - last < MIN_GC_INTERVAL_NANOS || !lastForcedGc.compareAndSet(last, now)) {
            return;
        }
        System.gc();
    }

    public static long usedBytes() {
        return liveHeapBytes() + directBytes();
    }

    /** The max heap, which the memory watermark is a fraction of. */
    public static long maxHeapBytes() {
        return Runtime.getRuntime().maxMemory();
    }

    public static long liveHeapBytes() {
        com.sun.management.GcInfo latest = null;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof com.sun.management.GarbageCollectorMXBean hotspot) {
                com.sun.management.GcInfo info = hotspot.getLastGcInfo();
                if (info != null && (latest == null || info.getEndTime() > latest.getEndTime())) {
                    latest = info;
                }
            }
        }
        if (latest == null) {
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(); // no GC yet
        }
        long used = 0;
        for (Map.Entry<String, MemoryUsage> pool : latest.getMemoryUsageAfterGc().entrySet()) {
            if (HeapPools.NAMES.contains(pool.getKey())) {
                used += pool.getValue().getUsed();
            }
        }
        return used;
    }

    public static long directBytes() {
        long used = Math.max(0, PlatformDependent.usedDirectMemory()); // Netty's cleaner-less buffers, -1 if untracked
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                used += pool.getMemoryUsed();
            }
        }
        return used;
    }
}
