package dev.ferrymq.junit;

import dev.ferrymq.embedded.FerryMQBroker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The brokers of the running test classes, by class, so that whichever comes first, the extension's beforeAll or
 * Spring's context loading (which looks the broker up from a ContextCustomizer that has no ExtensionContext),
 * starts it, and both see the same one. A {@code @Nested} class finds its enclosing class's broker. Thread-safe.
 */
final class ClassBrokers {
    private static final Map<Class<?>, Running> RUNNING = new ConcurrentHashMap<>();

    private ClassBrokers() {
    }

    /** A started broker and what must close before it (the Spring contexts connected to it). */
    private static final class Running {
        final FerryMQBroker broker;
        final List<AutoCloseable> dependents = new ArrayList<>();

        Running(FerryMQBroker broker) {
            this.broker = broker;
        }
    }

    /** The broker of the class or of the nearest enclosing class that has one, or null. */
    static FerryMQBroker find(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            Running running = RUNNING.get(c);
            if (running != null) {
                return running.broker;
            }
        }
        return null;
    }

    /** The class's broker (or an enclosing class's), started with {@code options} if there is none. */
    static FerryMQBroker findOrStart(Class<?> testClass, BrokerOptions options) {
        FerryMQBroker found = find(testClass);
        return found != null ? found : RUNNING.computeIfAbsent(testClass, c -> new Running(options.start())).broker;
    }

    /** Closes {@code dependent} just before the broker of {@code testClass} (or its enclosing class's) stops. */
    static void closeBeforeBroker(Class<?> testClass, AutoCloseable dependent) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            Running running = RUNNING.get(c);
            if (running != null) {
                synchronized (running.dependents) {
                    running.dependents.add(dependent);
                }
                return;
            }
        }
    }

    /** Stops the broker started for exactly this class (not an enclosing class's), after its dependents. */
    static void stop(Class<?> testClass) throws Exception {
        Running running = RUNNING.remove(testClass);
        if (running == null) {
            return;
        }
        try {
            synchronized (running.dependents) {
                for (AutoCloseable dependent : running.dependents) {
                    dependent.close();
                }
            }
        } finally {
            running.broker.close();
        }
    }
}
