package dev.ferrymq.broker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The policies and operator policies of one virtual host, and which one applies to a queue or exchange: of those
 * matching the name, the highest priority; on equal priorities the one whose name sorts first (RabbitMQ's choice
 * among equals is deterministic but unspecified; FerryMQ's is documented).
 *
 * <p>Thread-safety: changes are serialized by the virtual host (they happen under its lock); each kind is an
 * immutable list, already in precedence order, behind a volatile field, so lookups (e.g. routing an unroutable
 * message to an alternate exchange) take no lock.
 */
public final class Policies {
    /** Highest priority first, then by name. */
    private static final Comparator<Policy> PRECEDENCE = Comparator.comparingInt(Policy::priority).reversed()
            .thenComparing(Policy::name);

    private volatile List<Policy> user = List.of();
    private volatile List<Policy> operator = List.of();

    /** Adds or replaces the policy of that name and kind. */
    void put(Policy policy) {
        List<Policy> updated = new ArrayList<>(listOf(policy.operator()));
        updated.removeIf(p -> p.name().equals(policy.name()));
        updated.add(policy);
        updated.sort(PRECEDENCE);
        set(policy.operator(), List.copyOf(updated));
    }

    /** Removes a policy; false if there was none of that name and kind. */
    boolean remove(String name, boolean operatorPolicy) {
        List<Policy> updated = new ArrayList<>(listOf(operatorPolicy));
        if (!updated.removeIf(p -> p.name().equals(name))) {
            return false;
        }
        set(operatorPolicy, List.copyOf(updated));
        return true;
    }

    private List<Policy> listOf(boolean operatorPolicy) {
        return operatorPolicy ? operator : user;
    }

    private void set(boolean operatorPolicy, List<Policy> policies) {
        if (operatorPolicy) {
            operator = policies;
        } else {
            user = policies;
        }
    }

    /** The policies (or operator policies) in precedence order. */
    public List<Policy> all(boolean operatorPolicies) {
        return listOf(operatorPolicies);
    }

    /** The policy of that name and kind, or null. */
    public Policy get(String name, boolean operatorPolicy) {
        for (Policy p : listOf(operatorPolicy)) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    /** The user policy applying to a queue, or null. */
    public Policy forQueue(String queueName) {
        return first(user, p -> p.appliesToQueue(queueName));
    }

    /** The operator policy applying to a queue, or null. */
    public Policy operatorForQueue(String queueName) {
        return first(operator, p -> p.appliesToQueue(queueName));
    }

    /** The user policy applying to an exchange, or null (no operator policy setting concerns exchanges). */
    public Policy forExchange(String exchangeName) {
        return first(user, p -> p.appliesToExchange(exchangeName));
    }

    private static Policy first(List<Policy> policies, Predicate<Policy> applies) {
        for (Policy p : policies) {
            if (applies.test(p)) {
                return p;
            }
        }
        return null;
    }
}
