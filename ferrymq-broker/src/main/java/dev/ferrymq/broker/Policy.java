package dev.ferrymq.broker;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A RabbitMQ policy (or operator policy): queue and exchange settings applied by name pattern. The pattern is a
 * regular expression searched in the name (not anchored, as RabbitMQ's {@code re:run}); among the policies of a
 * kind matching a name, the highest priority applies (see {@link Policies}). Validated on creation with RabbitMQ's
 * rules; a key FerryMQ does not implement, or {@code max-priority} (not settable by policy), is refused. Immutable.
 */
public final class Policy {
    /** Settings a user policy may define. */
    private static final Set<String> USER_KEYS = Set.of("message-ttl", "expires", "max-length", "max-length-bytes",
            "overflow", "dead-letter-exchange", "dead-letter-routing-key", "alternate-exchange", "queue-mode");
    /** Settings an operator policy may define (RabbitMQ's operator policy validators, those FerryMQ supports). */
    private static final Set<String> OPERATOR_KEYS = Set.of("message-ttl", "expires", "max-length",
            "max-length-bytes");

    /** What kind of entity a policy applies to. */
    public enum ApplyTo {
        QUEUES("queues"), EXCHANGES("exchanges"), ALL("all");

        private final String value;

        ApplyTo(String value) {
            this.value = value;
        }

        /** The JSON / CLI spelling. */
        public String value() {
            return value;
        }

        public static ApplyTo parse(String value) {
            for (ApplyTo a : values()) {
                if (a.value.equals(value)) {
                    return a;
                }
            }
            throw invalid("'" + value + "' is not a valid apply-to value (queues, exchanges or all)");
        }

        boolean queues() {
            return this != EXCHANGES;
        }

        boolean exchanges() {
            return this != QUEUES;
        }
    }

    private final String vhost;
    private final String name;
    private final boolean operator;
    private final String pattern;
    private final Pattern regex;
    private final ApplyTo applyTo;
    private final int priority;
    private final Map<String, Object> definition;

    private Policy(String vhost, String name, boolean operator, String pattern, ApplyTo applyTo, int priority,
                   Map<String, Object> definition) {
        this.vhost = vhost;
        this.name = name;
        this.operator = operator;
        this.pattern = pattern;
        this.applyTo = applyTo;
        this.priority = priority;
        this.definition = Collections.unmodifiableMap(new LinkedHashMap<>(definition));
        try {
            this.regex = Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw invalid("'" + pattern + "' is not a valid regular expression: " + e.getDescription());
        }
    }

    /**
     * A validated policy; throws 406 PRECONDITION_FAILED (a 400 over HTTP) naming what is wrong.
     *
     * @param operator   an operator policy (only {@code message-ttl}, {@code expires}, {@code max-length} and
     *                   {@code max-length-bytes})
     * @param definition the settings; strings may be {@code byte[]} (AMQP long strings), numbers any integer type
     */
    public static Policy of(String vhost, String name, boolean operator, String pattern, ApplyTo applyTo,
                            int priority, Map<String, Object> definition) {
        if (name == null || name.isEmpty()) {
            throw invalid("a policy needs a name");
        }
        if (pattern == null) {
            throw invalid("a policy needs a pattern");
        }
        if (definition == null || definition.isEmpty()) {
            throw invalid("no policy provided");
        }
        Map<String, Object> normalized = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : definition.entrySet()) {
            normalized.put(e.getKey(), validate(e.getKey(), e.getValue(), operator));
        }
        return new Policy(vhost, name, operator, pattern, applyTo, priority, normalized);
    }

    /** Checks one setting and returns it normalized (strings as String, numbers as Long). */
    private static Object validate(String key, Object value, boolean operator) {
        if (key.equals("max-priority")) {
            throw invalid("max-priority cannot be set by a policy (RabbitMQ does not allow it); use the"
                    + " x-max-priority queue argument");
        }
        if (!(operator ? OPERATOR_KEYS : USER_KEYS).contains(key)) {
            throw invalid("[{<<\"" + key + "\">>," + value + "}] are not recognised " + (operator ? "operator " : "")
                    + "policy settings");
        }
        return switch (key) {
            case "message-ttl", "max-length", "max-length-bytes" -> integer(key, value, 0);
            case "expires" -> integer(key, value, 1);
            case "overflow" -> oneOf(key, value, "drop-head", "reject-publish", "reject-publish-dlx");
            case "queue-mode" -> oneOf(key, value, "default", "lazy");
            default -> string(key, value); // exchange names and routing keys
        };
    }

    private static long integer(String key, Object value, long min) {
        if (!(value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long)
                || ((Number) value).longValue() < min) {
            throw invalid(value + " is not a valid " + key + " (an integer of at least " + min + ")");
        }
        return ((Number) value).longValue();
    }

    private static String string(String key, Object value) {
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (!(value instanceof String s)) {
            throw invalid(value + " is not a valid " + key + " (a string)");
        }
        return s;
    }

    private static String oneOf(String key, Object value, String... allowed) {
        String s = string(key, value);
        for (String a : allowed) {
            if (a.equals(s)) {
                return s;
            }
        }
        throw invalid("'" + s + "' is not a valid " + key + " value (" + String.join(", ", allowed) + ")");
    }

    private static BrokerException invalid(String why) {
        return BrokerException.preconditionFailed("Validation failed: " + why);
    }

    public String vhost() {
        return vhost;
    }

    public String name() {
        return name;
    }

    public boolean operator() {
        return operator;
    }

    public String pattern() {
        return pattern;
    }

    public ApplyTo applyTo() {
        return applyTo;
    }

    public int priority() {
        return priority;
    }

    /** The settings, normalized: numbers as Long, everything else as String. */
    public Map<String, Object> definition() {
        return definition;
    }

    /** A numeric setting, or -1 when the policy does not define it. */
    long number(String key) {
        Object value = definition.get(key);
        return value == null ? -1 : (Long) value;
    }

    /** A string setting, or null when the policy does not define it. */
    public String text(String key) {
        return (String) definition.get(key);
    }

    boolean appliesToQueue(String queueName) {
        return applyTo.queues() && regex.matcher(queueName).find();
    }

    boolean appliesToExchange(String exchangeName) {
        return applyTo.exchanges() && regex.matcher(exchangeName).find();
    }

    @Override
    public String toString() {
        return (operator ? "operator policy '" : "policy '") + name + "' in vhost '" + vhost + "'";
    }
}
