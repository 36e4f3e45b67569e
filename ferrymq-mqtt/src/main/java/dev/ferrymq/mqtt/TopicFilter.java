package dev.ferrymq.mqtt;

/**
 * MQTT topic filter matching (MQTT 3.1.1 §4.7), for retained messages, which are matched here rather than routed
 * by the topic exchange: {@code +} matches one level, a trailing {@code #} the parent and every level below, and
 * topics starting with {@code $} match no filter that starts with a wildcard. Stateless.
 */
public final class TopicFilter {
    private TopicFilter() {
    }

    /** Whether {@code filter} is well formed: wildcards alone in their level, {@code #} only last. */
    public static boolean isValid(String filter) {
        if (filter.isEmpty()) {
            return false;
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                return false;
            }
            if (level.contains("+") && !level.equals("+")) {
                return false;
            }
        }
        return true;
    }

    public static boolean matches(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        String[] filterLevels = filter.split("/", -1);
        String[] topicLevels = topic.split("/", -1);
        for (int i = 0; i < filterLevels.length; i++) {
            String level = filterLevels[i];
            if (level.equals("#")) {
                return true;
            }
            if (i >= topicLevels.length) {
                return false;
            }
            if (!level.equals("+") && !level.equals(topicLevels[i])) {
                return false;
            }
        }
        return filterLevels.length == topicLevels.length;
    }
}
