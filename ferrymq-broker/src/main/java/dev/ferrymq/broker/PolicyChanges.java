package dev.ferrymq.broker;

import dev.ferrymq.broker.persistence.Definition;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.broker.queue.QueuePolicies;

/**
 * Setting and clearing a virtual host's policies: the change to its {@link Policies}, the record in the
 * definitions log, and re-applying what now applies to each queue (exchanges look theirs up when routing). Called
 * by the {@link VirtualHost} with its lock held; no state of its own.
 */
final class PolicyChanges {
    private final VirtualHost vhost;
    private final Policies policies;

    PolicyChanges(VirtualHost vhost, Policies policies) {
        this.vhost = vhost;
        this.policies = policies;
    }

    void set(Policy policy) {
        if (!policy.vhost().equals(vhost.name())) {
            throw new IllegalArgumentException(policy + " is not for vhost '" + vhost.name() + "'");
        }
        policies.put(policy);
        vhost.record(new Definition.PolicySet(vhost.name(), policy.name(), policy.operator(), policy.pattern(),
                policy.applyTo().value(), policy.priority(), policy.definition()));
        reapply();
    }

    boolean clear(String policyName, boolean operator) {
        if (!policies.remove(policyName, operator)) {
            return false;
        }
        vhost.record(new Definition.PolicyCleared(vhost.name(), policyName, operator));
        reapply();
        return true;
    }

    private void reapply() {
        for (Queue queue : vhost.queues()) {
            QueuePolicies applicable = QueuePolicies.lookUp(policies, queue.name());
            if (!applicable.equals(queue.policies())) {
                queue.applyPolicies(applicable);
            }
        }
    }
}
