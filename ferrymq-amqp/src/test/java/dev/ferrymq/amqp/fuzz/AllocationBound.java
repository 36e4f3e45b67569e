package dev.ferrymq.amqp.fuzz;

import java.lang.management.ManagementFactory;

/**
 * Fails when decoding an input allocated far more heap than the input's size justifies: the check that a
 * length field (a table "of 2 GB", a long string "of 4 GB") is validated before anything is allocated.
 * Uses HotSpot's per-thread allocation counter; where that is unavailable the check is skipped.
 */
final class AllocationBound {
    /** Decoding overhead allowed per input byte (objects, boxed values, map entries) plus a fixed allowance. */
    private static final long BYTES_PER_INPUT_BYTE = 256;
    private static final long FIXED_ALLOWANCE = 4L * 1024 * 1024;

    private static final com.sun.management.ThreadMXBean THREADS = threadBean();

    private AllocationBound() {
    }

    /**
     * Runs {@code decoding} and fails if it allocated more than the bound. An excess on the first run is measured
     * again on a second run, because loading (and, under Jazzer, instrumenting) a class for the first time
     * allocates megabytes that have nothing to do with the input.
     */
    static void check(int inputLength, Runnable decoding) {
        long bound = FIXED_ALLOWANCE + BYTES_PER_INPUT_BYTE * inputLength;
        long used = measure(decoding);
        if (used > bound) {
            used = measure(decoding);
        }
        if (used > bound) {
            throw new AssertionError("decoding " + inputLength + " bytes allocated " + used + " bytes (bound "
                    + bound + "): a length field is trusted before it is checked");
        }
    }

    private static long measure(Runnable decoding) {
        long before = allocated();
        decoding.run();
        return before < 0 ? 0 : allocated() - before;
    }

    private static long allocated() {
        return THREADS == null ? -1 : THREADS.getCurrentThreadAllocatedBytes();
    }

    private static com.sun.management.ThreadMXBean threadBean() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                && bean.isThreadAllocatedMemorySupported()) {
            bean.setThreadAllocatedMemoryEnabled(true);
            return bean;
        }
        return null;
    }
}
