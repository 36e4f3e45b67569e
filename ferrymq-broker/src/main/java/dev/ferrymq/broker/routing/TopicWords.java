package dev.ferrymq.broker.routing;

/**
 * Splits topic routing/binding keys into words the way RabbitMQ does: on every '.', keeping
 * empty words ("a..b" = [a, "", b], "a." = [a, ""]), except that the empty key has zero words.
 * Consequently binding key "" matches only routing key "", '#' matches "", '*' does not.
 * Stateless, thread-safe.
 */
final class TopicWords {
    private static final String[] NO_WORDS = new String[0];

    private TopicWords() {
    }

    static String[] split(String key) {
        if (key == null || key.isEmpty()) {
            return NO_WORDS;
        }
        return key.split("\\.", -1); // single escaped char: String.split's non-regex fast path
    }
}
