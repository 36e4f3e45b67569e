package dev.ferrymq.broker.queue;

import dev.ferrymq.broker.queue.classic.ClassicQueueType;
import dev.ferrymq.broker.queue.stream.StreamQueueType;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The queue types this process can create, selected by {@code x-queue-type}: {@code classic} always (and when the
 * argument is absent), {@code stream}, others once a module registers them at start-up (e.g. quorum queues from a cluster module,
 * which the single-node broker must not need). Thread-safe.
 */
public final class QueueTypes {
    public static final String ARGUMENT = "x-queue-type";
    private static final List<QueueType> TYPES = new CopyOnWriteArrayList<>(
            List.of(ClassicQueueType.INSTANCE, StreamQueueType.INSTANCE));

    private QueueTypes() {
    }

    /** Makes {@code type} selectable by its name; replaces a type registered before under the same name. */
    public static void register(QueueType type) {
        TYPES.removeIf(t -> t.name().equals(type.name()));
        TYPES.add(type);
    }

    /** Removes a registered type (never classic); queues already created keep working. */
    public static void unregister(String name) {
        TYPES.removeIf(t -> t.name().equals(name) && t != ClassicQueueType.INSTANCE);
    }

    /** The type {@code arguments} select; 406 PRECONDITION_FAILED for a type that is not installed. */
    public static QueueType select(Map<String, Object> arguments, String queueDescription) {
        String name = arguments == null ? null : QueueArguments.string(arguments, ARGUMENT, queueDescription);
        if (name == null) {
            return ClassicQueueType.INSTANCE;
        }
        for (QueueType type : TYPES) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        StringBuilder installed = new StringBuilder();
        for (QueueType type : TYPES) {
            installed.append(installed.length() == 0 ? "" : ", ").append('\'').append(type.name()).append('\'');
        }
        throw QueueArguments.invalid(arguments, ARGUMENT, queueDescription,
                "only " + installed + " queues are supported by FerryMQ, not '" + name + "'");
    }
}
