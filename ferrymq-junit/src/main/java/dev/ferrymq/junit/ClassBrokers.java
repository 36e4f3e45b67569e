package dev.ferrymq.junit;

import dev.ferrymq.embedded.FerryMQBroker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The brokers of the running test classes, by class, so that whichever comes first, the extension's beforeAll or
 * Spring's context loading (which looks the broker up from a ContextCustomizer that has no ExtensionContext),
 * starts it, and both see the same one. A {@code @Nested} class finds its enclosing class's broker. Thread-safe.
 */
final class ClassBrokers {
    private static final Map<Class<?>, FerryMQBroker> RUNNING = new ConcurrentHashMap<>();

    private ClassBrokers() {
    }

    /** The broker of the class or of the nearest enclosing class that has one, or null. */
    static FerryMQBroker find(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            FerryMQBroker running = RUNNING.get(c);
            if (running != null) {
                return running;
            }
        }
        return null;
    }

    /** The class's broker (or an enclosing class's), started with {@code options} if there is none. */
    static FerryMQBroker findOrStart(Class<?> testClass, BrokerOptions options) {
        FerryMQBroker found = find(testClass);
        return found != null ? found : RUNNING.computeIfAbsent(testClass, c -> options.start());
    }

    /** Stops the broker started for exactly this class (not an enclosing class's). */
    static void stop(Class<?> testClass) {
        FerryMQBroker running = RUNNING.remove(testClass);
        if (running != null) {
            running.close();
        }
    }
}
