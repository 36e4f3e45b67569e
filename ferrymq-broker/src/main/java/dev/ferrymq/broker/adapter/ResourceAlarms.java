package dev.ferrymq.broker.adapter;

/**
 * The server's memory and disk alarms: while one is raised, publishers of every protocol are not read from.
 * Thread-safe.
 */
public interface ResourceAlarms {

    boolean anyAlarm();

    /** What is low ({@code "low on memory"}, ...), or empty. */
    String reason();

    /** Runs {@code listener} (on any thread) whenever every alarm has cleared. */
    void whenCleared(Runnable listener);
}
