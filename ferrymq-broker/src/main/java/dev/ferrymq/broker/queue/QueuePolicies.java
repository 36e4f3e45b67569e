package dev.ferrymq.broker.queue;

import dev.ferrymq.broker.Policies;
import dev.ferrymq.broker.Policy;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The policies applied to a queue, and the settings they produce merged with the queue's own arguments, with
 * RabbitMQ's precedence:
 * <ul>
 *   <li>user policy and operator policy: for a key both define, the smaller value (every operator policy key is a
 *   limit: {@code message-ttl}, {@code expires}, {@code max-length}, {@code max-length-bytes});</li>
 *   <li>that and the queue's {@code x-} arguments: the smaller value for those four limits, the argument for
 *   everything else ({@code overflow}, {@code dead-letter-exchange}, {@code dead-letter-routing-key}).</li>
 * </ul>
 * Immutable.
 *
 * @param policy         the user policy, or null
 * @param operatorPolicy the operator policy, or null
 */
public record QueuePolicies(Policy policy, Policy operatorPolicy) {
    public static final QueuePolicies NONE = new QueuePolicies(null, null);

    /** The policies of {@code policies} that apply to the named queue. */
    public static QueuePolicies lookUp(Policies policies, String queueName) {
        return new QueuePolicies(policies.forQueue(queueName), policies.operatorForQueue(queueName));
    }

    /** The definition in force from both policies (before queue arguments), as the management API shows it. */
    public Map<String, Object> effectiveDefinition() {
        Map<String, Object> merged = new LinkedHashMap<>();
        if (policy != null) {
            merged.putAll(policy.definition());
        }
        if (operatorPolicy != null) {
            operatorPolicy.definition().forEach((key, value) -> merged.merge(key, value,
                    (a, b) -> Math.min((Long) a, (Long) b)));
        }
        return merged;
    }

    /**
     * The queue's settings: {@code declared} (parsed from {@code arguments}) merged with these policies.
     * {@code arguments} tells an explicit {@code x-overflow} from the default.
     */
    public QueueArguments applyTo(QueueArguments declared, Map<String, Object> arguments) {
        if (policy == null && operatorPolicy == null) {
            return declared;
        }
        Map<String, Object> fromPolicies = effectiveDefinition();
        String policyOverflow = (String) fromPolicies.get("overflow");
        QueueArguments.Overflow overflow = arguments.containsKey("x-overflow") || policyOverflow == null
                ? declared.overflow() : QueueArguments.Overflow.parse(policyOverflow);
        String dlx = declared.deadLetterExchange() != null ? declared.deadLetterExchange()
                : (String) fromPolicies.get("dead-letter-exchange");
        String dlrk = declared.deadLetterRoutingKey() != null ? declared.deadLetterRoutingKey()
                : (String) fromPolicies.get("dead-letter-routing-key");
        return new QueueArguments(
                smaller(declared.messageTtl(), fromPolicies.get("message-ttl")),
                smaller(declared.expires(), fromPolicies.get("expires")),
                smaller(declared.maxLength(), fromPolicies.get("max-length")),
                smaller(declared.maxLengthBytes(), fromPolicies.get("max-length-bytes")),
                overflow, dlx, dlrk, declared.maxPriority(), declared.singleActiveConsumer());
    }

    /** The smaller of an argument (-1 = unset) and a policy value (null = unset). */
    private static long smaller(long argument, Object policyValue) {
        if (policyValue == null) {
            return argument;
        }
        long fromPolicy = (Long) policyValue;
        return argument < 0 ? fromPolicy : Math.min(argument, fromPolicy);
    }
}
