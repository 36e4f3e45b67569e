package dev.ferrymq.store;

/** When {@link Syncer#whenDurable} reports data as durable. */
public enum FsyncPolicy {
    /** Callbacks run only after an fsync covering the data (group commit: many callers share one fsync). */
    ALWAYS,
    /** Callbacks run immediately after the OS write; dirty files are fsynced every {@code periodicFsyncMillis}. */
    PERIODIC
}
