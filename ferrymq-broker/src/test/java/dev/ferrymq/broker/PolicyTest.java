package dev.ferrymq.broker;

import dev.ferrymq.broker.queue.QueuePolicies;
import dev.ferrymq.broker.queue.QueueArguments;
import dev.ferrymq.broker.queue.QueueEntry;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.store.StoreConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.ferrymq.broker.Messages.body;
import static dev.ferrymq.broker.Messages.msg;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Policies: validation, which one applies, how it merges with queue arguments, and applying it to live queues. */
class PolicyTest {
    private VirtualHost vhost;

    @TempDir
    Path dataDir;

    @BeforeEach
    void setUp() {
        vhost = new VirtualHost("/");
        vhost.usePropertiesCodec(new SerializingPropertiesCodec()); // dead letters need x-death headers
    }

    private static Policy policy(String name, String pattern, int priority, Map<String, Object> definition) {
        return Policy.of("/", name, false, pattern, Policy.ApplyTo.ALL, priority, definition);
    }

    private static Policy operatorPolicy(String name, String pattern, Map<String, Object> definition) {
        return Policy.of("/", name, true, pattern, Policy.ApplyTo.QUEUES, 0, definition);
    }

    private Queue declare(String name, Map<String, Object> args) {
        return vhost.declareQueue(name, false, false, false, false, args, null).queue();
    }

    private static List<String> drain(Queue queue) {
        List<String> out = new ArrayList<>();
        QueueEntry e;
        while ((e = queue.get(true)) != null) {
            out.add(body(e));
        }
        return out;
    }

    // ---------------------------------------------------------------- validation

    @Test
    void refusesUnknownKeysMaxPriorityAndInvalidValues() {
        assertThatThrownBy(() -> policy("p", ".*", 0, Map.of("x-message-ttl", 5)))
                .isInstanceOf(BrokerException.class).hasMessageContaining("not recognised policy settings");
        assertThatThrownBy(() -> policy("p", ".*", 0, Map.of("max-priority", 5)))
                .hasMessageContaining("max-priority cannot be set by a policy")
                .extracting(e -> ((BrokerException) e).replyCode()).isEqualTo(BrokerException.PRECONDITION_FAILED);
        assertThatThrownBy(() -> policy("p", ".*", 0, Map.of("message-ttl", -1))).hasMessageContaining("message-ttl");
        assertThatThrownBy(() -> policy("p", ".*", 0, Map.of("expires", 0))).hasMessageContaining("expires");
        assertThatThrownBy(() -> policy("p", ".*", 0, Map.of("max-length", "10"))).hasMessageContaining("max-length");
        assertThatThrownBy(() -> policy("p", ".*", 0, Map.of("overflow", "drop-tail"))).hasMessageContaining("overflow");
        assertThatThrownBy(() -> policy("p", ".*", 0, Map.of())).hasMessageContaining("no policy provided");
        assertThatThrownBy(() -> policy("p", "(", 0, Map.of("max-length", 1)))
                .hasMessageContaining("not a valid regular expression");
        assertThatThrownBy(() -> Policy.ApplyTo.parse("streams")).hasMessageContaining("apply-to");
        assertThat(policy("p", ".*", 0, Map.of("queue-mode", "lazy", "max-length", 3)).definition())
                .containsEntry("max-length", 3L);
    }

    @Test
    void operatorPoliciesTakeOnlyLimits() {
        assertThat(operatorPolicy("op", ".*", Map.of("max-length", 1, "message-ttl", 2, "expires", 3,
                "max-length-bytes", 4)).definition()).hasSize(4);
        assertThatThrownBy(() -> operatorPolicy("op", ".*", Map.of("dead-letter-exchange", "dlx")))
                .hasMessageContaining("not recognised operator policy settings");
        assertThatThrownBy(() -> operatorPolicy("op", ".*", Map.of("overflow", "reject-publish")))
                .hasMessageContaining("not recognised operator policy settings");
    }

    // ---------------------------------------------------------------- matching

    @Test
    void highestPriorityWinsThenNameAndApplyToAndPatternSearch() {
        Policies policies = new Policies();
        policies.put(policy("low", "^orders", 1, Map.of("max-length", 1)));
        policies.put(policy("high", "orders", 5, Map.of("max-length", 2)));
        policies.put(Policy.of("/", "exchanges-only", false, ".*", Policy.ApplyTo.EXCHANGES, 9,
                Map.of("alternate-exchange", "ae")));
        assertThat(policies.forQueue("orders.eu").name()).isEqualTo("high");
        assertThat(policies.forQueue("eu.orders").name()).isEqualTo("high"); // a search, not a full match
        assertThat(policies.forQueue("invoices")).isNull();
        assertThat(policies.forExchange("orders").name()).isEqualTo("exchanges-only");

        policies.put(policy("a-tie", "^orders", 5, Map.of("max-length", 3)));
        assertThat(policies.forQueue("orders.eu").name()).as("equal priorities: first name wins").isEqualTo("a-tie");
        assertThat(policies.remove("a-tie", false)).isTrue();
        assertThat(policies.remove("a-tie", false)).isFalse();
        assertThat(policies.forQueue("orders.eu").name()).isEqualTo("high");
        assertThat(policies.operatorForQueue("orders.eu")).as("separate kinds").isNull();
    }

    // ---------------------------------------------------------------- merge

    @Test
    void queueArgumentsWinExceptForLimitsWhereTheSmallerWins() {
        Map<String, Object> args = Map.of("x-max-length", 10, "x-message-ttl", 500, "x-dead-letter-exchange", "arg-dlx",
                "x-overflow", "reject-publish");
        QueueArguments declared = QueueArguments.parse(args, "q");
        Policy p = policy("p", ".*", 0, Map.of("max-length", 20, "message-ttl", 100, "dead-letter-exchange", "pol-dlx",
                "dead-letter-routing-key", "pol-rk", "overflow", "drop-head", "expires", 60_000));
        QueueArguments merged = new QueuePolicies(p, null).applyTo(declared, args);
        assertThat(merged.maxLength()).isEqualTo(10);
        assertThat(merged.messageTtl()).isEqualTo(100);
        assertThat(merged.expires()).isEqualTo(60_000);
        assertThat(merged.deadLetterExchange()).isEqualTo("arg-dlx");
        assertThat(merged.deadLetterRoutingKey()).isEqualTo("pol-rk");
        assertThat(merged.overflow()).isEqualTo(QueueArguments.Overflow.REJECT_PUBLISH);

        QueueArguments policyOnly = new QueuePolicies(p, null).applyTo(QueueArguments.NONE, Map.of());
        assertThat(policyOnly.overflow()).isEqualTo(QueueArguments.Overflow.DROP_HEAD);
        assertThat(policyOnly.maxLength()).isEqualTo(20);
        assertThat(policyOnly.deadLetterExchange()).isEqualTo("pol-dlx");
    }

    @Test
    void operatorPolicyAndUserPolicyCombineToTheSmallerValue() {
        Policy user = policy("p", ".*", 0, Map.of("max-length", 20, "message-ttl", 100, "overflow", "reject-publish"));
        Policy operator = operatorPolicy("op", ".*", Map.of("max-length", 5, "message-ttl", 1_000, "expires", 9_000));
        QueuePolicies both = new QueuePolicies(user, operator);
        assertThat(both.effectiveDefinition()).containsEntry("max-length", 5L).containsEntry("message-ttl", 100L)
                .containsEntry("expires", 9_000L).containsEntry("overflow", "reject-publish");
        QueueArguments merged = both.applyTo(QueueArguments.parse(Map.of("x-max-length", 7), "q"),
                Map.of("x-max-length", 7));
        assertThat(merged.maxLength()).isEqualTo(5);
        assertThat(merged.overflow()).isEqualTo(QueueArguments.Overflow.REJECT_PUBLISH);
    }

    // ---------------------------------------------------------------- applied to queues

    @Test
    void maxLengthPolicyTruncatesAnExistingQueueFromTheHeadAndClearingItLiftsTheLimit() {
        Queue queue = declare("jobs", Map.of());
        for (int i = 1; i <= 5; i++) {
            queue.publish(msg("m" + i), Queue.NOT_STORED, null);
        }
        vhost.setPolicy(policy("cap", "^jobs$", 0, Map.of("max-length", 2)));
        assertThat(queue.policies().policy().name()).isEqualTo("cap");
        assertThat(queue.messageCount()).isEqualTo(2);
        queue.publish(msg("m6"), Queue.NOT_STORED, null);
        assertThat(drain(queue)).containsExactly("m5", "m6");

        assertThat(vhost.clearPolicy("cap", false)).isTrue();
        assertThat(queue.settings().maxLength()).isEqualTo(-1);
        for (int i = 0; i < 4; i++) {
            queue.publish(msg("n" + i), Queue.NOT_STORED, null);
        }
        assertThat(queue.messageCount()).isEqualTo(4);
    }

    @Test
    void rejectPublishPolicyKeepsExistingMessagesAndRefusesNewOnes() {
        Queue queue = declare("jobs", Map.of());
        for (int i = 1; i <= 3; i++) {
            queue.publish(msg("m" + i), Queue.NOT_STORED, null);
        }
        vhost.setPolicy(policy("cap", "jobs", 0, Map.of("max-length", 1, "overflow", "reject-publish")));
        assertThat(queue.messageCount()).isEqualTo(3);
        assertThat(queue.publish(msg("m4"), Queue.NOT_STORED, null)).isFalse();
    }

    @Test
    void aPolicyAppliesToQueuesDeclaredLaterAndOperatorPolicyCapsIt() {
        vhost.setPolicy(policy("cap", "jobs", 0, Map.of("max-length", 3)));
        vhost.setPolicy(operatorPolicy("guard", ".*", Map.of("max-length", 1)));
        Queue queue = declare("jobs", Map.of());
        assertThat(queue.policies().operatorPolicy().name()).isEqualTo("guard");
        queue.publish(msg("a"), Queue.NOT_STORED, null);
        queue.publish(msg("b"), Queue.NOT_STORED, null);
        assertThat(drain(queue)).containsExactly("b");
    }

    @Test
    void deadLetterPolicyAppliesAtOnceToRejects() {
        Queue work = declare("work", Map.of());
        Queue dead = declare("dead", Map.of());
        work.publish(msg("poison"), Queue.NOT_STORED, null);
        QueueEntry taken = work.get(false);
        vhost.setPolicy(policy("dlx", "^work$", 0, Map.of("dead-letter-exchange", "",
                "dead-letter-routing-key", "dead")));
        work.reject(taken);
        assertThat(drain(dead)).containsExactly("poison");
    }

    @Test
    void messageTtlPolicyAppliesToMessagesEnqueuedAfterwards() throws Exception {
        Queue queue = declare("ttl", Map.of());
        queue.publish(msg("before"), Queue.NOT_STORED, null);
        vhost.setPolicy(policy("ttl", "ttl", 0, Map.of("message-ttl", 50)));
        queue.publish(msg("after"), Queue.NOT_STORED, null);
        Thread.sleep(150);
        assertThat(drain(queue)).containsExactly("before");
    }

    @Test
    void expiresPolicyDeletesAnUnusedQueue() throws Exception {
        Queue queue = declare("idle", Map.of());
        vhost.setPolicy(policy("exp", "idle", 0, Map.of("expires", 50)));
        long deadline = System.currentTimeMillis() + 5_000;
        while (!queue.isDeleted() && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertThat(queue.isDeleted()).isTrue();
    }

    @Test
    void alternateExchangeFromPolicyUnlessTheArgumentSaysOtherwise() {
        Queue viaPolicy = declare("via-policy", Map.of());
        Queue viaArgument = declare("via-argument", Map.of());
        vhost.declareExchange("ae-policy", "fanout", false, false, false, false, Map.of());
        vhost.declareExchange("ae-argument", "fanout", false, false, false, false, Map.of());
        vhost.bindQueue("via-policy", "ae-policy", "", Map.of(), null);
        vhost.bindQueue("via-argument", "ae-argument", "", Map.of(), null);
        vhost.declareExchange("plain", "direct", false, false, false, false, Map.of());
        vhost.declareExchange("with-arg", "direct", false, false, false, false,
                Map.of("alternate-exchange", "ae-argument"));
        vhost.setPolicy(Policy.of("/", "ae", false, "^(plain|with-arg)$", Policy.ApplyTo.EXCHANGES, 0,
                Map.of("alternate-exchange", "ae-policy")));

        assertThat(vhost.publish("plain", "nowhere", msg("1"), Map::of).queues()).isEqualTo(1);
        assertThat(vhost.publish("with-arg", "nowhere", msg("2"), Map::of).queues()).isEqualTo(1);
        assertThat(drain(viaPolicy)).containsExactly("1");
        assertThat(drain(viaArgument)).containsExactly("2");
    }

    // ---------------------------------------------------------------- persistence

    @Test
    void policiesSurviveRestartsAndApplyToRecoveredQueues() throws Exception {
        try (Broker broker = Broker.open(dataDir, StoreConfig.defaults())) {
            VirtualHost v = broker.virtualHost("/");
            v.declareQueue("kept", false, true, false, false, Map.of(), null);
            Map<String, Object> definition = new HashMap<>(Map.of("max-length", 2, "dead-letter-exchange", "dlx"));
            v.setPolicy(Policy.of("/", "cap", false, "^kept$", Policy.ApplyTo.QUEUES, 3, definition));
            v.setPolicy(Policy.of("/", "cap", true, ".*", Policy.ApplyTo.ALL, 0, Map.of("message-ttl", 1000)));
            v.setPolicy(Policy.of("/", "gone", false, ".*", Policy.ApplyTo.ALL, 0, Map.of("expires", 1000)));
            v.clearPolicy("gone", false);
        }
        for (int restart = 0; restart < 2; restart++) { // the second start reads the compacted log
            try (Broker broker = Broker.open(dataDir, StoreConfig.defaults())) {
                VirtualHost v = broker.virtualHost("/");
                Policy cap = v.policies().get("cap", false);
                assertThat(cap.priority()).isEqualTo(3);
                assertThat(cap.applyTo()).isEqualTo(Policy.ApplyTo.QUEUES);
                assertThat(cap.definition()).containsEntry("max-length", 2L).containsEntry("dead-letter-exchange", "dlx");
                assertThat(v.policies().get("cap", true).definition()).containsEntry("message-ttl", 1000L);
                assertThat(v.policies().get("gone", false)).isNull();
                Queue kept = v.queue("kept", null);
                assertThat(kept.settings().maxLength()).isEqualTo(2);
                assertThat(kept.settings().messageTtl()).isEqualTo(1000);
            }
        }
    }
}
