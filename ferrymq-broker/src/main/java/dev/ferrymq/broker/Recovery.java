package dev.ferrymq.broker;

import dev.ferrymq.broker.persistence.Definition;
import dev.ferrymq.broker.persistence.Persistence;
import dev.ferrymq.broker.queue.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Start-up: folds the definitions log into the final topology, policies and access control (vhosts, users,
 * permissions, topic permissions), re-creates it through the same broker and virtual-host methods clients use (a
 * log without any access-control record, from a fresh data directory, gets the defaults: vhost "/" and guest),
 * refills every durable queue from its index (message bodies stay on disk), rebuilds the store's reference counts
 * and rewrites the definitions log compacted.
 */
final class Recovery {
    private static final Logger log = LoggerFactory.getLogger(Recovery.class);

    private record Key(String vhost, String name) {
    }

    private record TopicKey(String vhost, String user, String exchange) {
    }

    private final Broker broker;
    private final Persistence persistence;
    private final Map<Key, Definition.ExchangeDeclared> exchanges = new LinkedHashMap<>();
    private final Map<Key, Definition.QueueDeclared> queues = new LinkedHashMap<>();
    private final Set<Definition.Bound> bindings = new LinkedHashSet<>();
    private final Set<String> vhosts = new LinkedHashSet<>();
    private final Map<String, Definition.UserPut> users = new LinkedHashMap<>();
    private final Map<Key, Definition.PermissionSet> permissions = new LinkedHashMap<>();
    private final Map<TopicKey, Definition.TopicPermissionSet> topicPermissions = new LinkedHashMap<>();
    /** Keyed by vhost and kind-prefixed name ("user:" or "operator:"): the two kinds have separate names. */
    private final Map<Key, Definition.PolicySet> policies = new LinkedHashMap<>();
    private boolean sawAccessControl;

    Recovery(Broker broker, Persistence persistence) {
        this.broker = broker;
        this.persistence = persistence;
    }

    void run() throws IOException {
        long started = System.nanoTime();
        for (Definition definition : persistence.readDefinitions()) {
            fold(definition);
        }
        long messages;
        persistence.pauseRecording();
        try {
            apply();
            messages = refillQueues();
        } finally {
            persistence.resumeRecording();
        }
        persistence.recoveryComplete();
        persistence.rewriteDefinitions(compacted());
        log.info("Recovered {} vhost(s), {} user(s), {} durable exchange(s), {} durable queue(s), {} binding(s)"
                + " and {} message(s) in {} ms", broker.virtualHosts().size(), broker.users().all().size(),
                exchanges.size(), queues.size(), bindings.size(), messages, (System.nanoTime() - started) / 1_000_000);
    }

    private void fold(Definition definition) {
        if (foldAccessControl(definition)) {
            sawAccessControl = true;
            return;
        }
        Key key = new Key(definition.vhost(), nameOf(definition));
        if (definition instanceof Definition.ExchangeDeclared d) {
            exchanges.put(key, d);
        } else if (definition instanceof Definition.ExchangeDeleted) {
            exchanges.remove(key);
            bindings.removeIf(b -> b.vhost().equals(key.vhost())
                    && (b.source().equals(key.name()) || (!b.toQueue() && b.destination().equals(key.name()))));
        } else if (definition instanceof Definition.QueueDeclared d) {
            queues.put(key, d);
        } else if (definition instanceof Definition.QueueDeleted) {
            queues.remove(key);
            bindings.removeIf(b -> b.vhost().equals(key.vhost()) && b.toQueue() && b.destination().equals(key.name()));
        } else if (definition instanceof Definition.Bound d) {
            bindings.add(d);
        } else if (definition instanceof Definition.Unbound d) {
            bindings.remove(new Definition.Bound(d.vhost(), d.source(), d.toQueue(), d.destination(), d.routingKey(),
                    d.arguments()));
        } else if (definition instanceof Definition.PolicySet d) {
            policies.put(policyKey(d.vhost(), d.name(), d.operator()), d);
        } else if (definition instanceof Definition.PolicyCleared d) {
            policies.remove(policyKey(d.vhost(), d.name(), d.operator()));
        }
    }

    /** Folds a user, vhost, permission or topic permission record; false for any other kind. */
    private boolean foldAccessControl(Definition definition) {
        if (definition instanceof Definition.UserPut d) {
            users.put(d.name(), d);
        } else if (definition instanceof Definition.UserDeleted d) {
            users.remove(d.name());
            permissions.keySet().removeIf(k -> k.name().equals(d.name()));
            topicPermissions.keySet().removeIf(k -> k.user().equals(d.name()));
        } else if (definition instanceof Definition.VhostAdded d) {
            vhosts.add(d.vhost());
        } else if (definition instanceof Definition.VhostDeleted d) {
            String vhost = d.vhost();
            vhosts.remove(vhost);
            exchanges.keySet().removeIf(k -> k.vhost().equals(vhost));
            queues.keySet().removeIf(k -> k.vhost().equals(vhost));
            bindings.removeIf(b -> b.vhost().equals(vhost));
            policies.keySet().removeIf(k -> k.vhost().equals(vhost));
            permissions.keySet().removeIf(k -> k.vhost().equals(vhost));
            topicPermissions.keySet().removeIf(k -> k.vhost().equals(vhost));
        } else if (definition instanceof Definition.PermissionSet d) {
            permissions.put(new Key(d.vhost(), d.user()), d);
        } else if (definition instanceof Definition.PermissionCleared d) {
            permissions.remove(new Key(d.vhost(), d.user()));
        } else if (definition instanceof Definition.TopicPermissionSet d) {
            topicPermissions.put(new TopicKey(d.vhost(), d.user(), d.exchange()), d);
        } else if (definition instanceof Definition.TopicPermissionCleared d) {
            topicPermissions.remove(new TopicKey(d.vhost(), d.user(), d.exchange()));
        } else {
            return false;
        }
        return true;
    }

    private static Key policyKey(String vhost, String name, boolean operator) {
        return new Key(vhost, (operator ? "operator:" : "user:") + name);
    }

    private static String nameOf(Definition definition) {
        if (definition instanceof Definition.ExchangeDeclared d) {
            return d.name();
        } else if (definition instanceof Definition.ExchangeDeleted d) {
            return d.name();
        } else if (definition instanceof Definition.QueueDeclared d) {
            return d.name();
        } else if (definition instanceof Definition.QueueDeleted d) {
            return d.name();
        }
        return "";
    }

    private void apply() {
        if (!sawAccessControl) {
            broker.addDefaults();
        }
        vhosts.forEach(broker::addVirtualHost);
        for (Definition.UserPut d : users.values()) {
            broker.putUser(d.name(), d.passwordHash(), d.tags());
        }
        for (Definition.PermissionSet d : permissions.values()) {
            if (broker.users().get(d.user()) != null && broker.virtualHost(d.vhost()) != null) {
                broker.setPermissions(d.user(), d.vhost(), d.configure(), d.write(), d.read());
            }
        }
        for (Definition.TopicPermissionSet d : topicPermissions.values()) {
            if (broker.users().get(d.user()) != null && broker.virtualHost(d.vhost()) != null) {
                broker.setTopicPermission(d.user(), d.vhost(), d.exchange(), d.write(), d.read());
            }
        }
        // Before the queues, so that recovered queues start with their policies applied.
        for (Definition.PolicySet d : policies.values()) {
            try {
                broker.addVirtualHost(d.vhost()).setPolicy(Policy.of(d.vhost(), d.name(), d.operator(), d.pattern(),
                        Policy.ApplyTo.parse(d.applyTo()), d.priority(), d.definition()));
            } catch (BrokerException e) { // e.g. written by a version that knew a key this one does not
                log.warn("Skipping policy '{}' in vhost '{}': {}", d.name(), d.vhost(), e.getMessage());
            }
        }
        for (Definition.ExchangeDeclared d : exchanges.values()) {
            broker.addVirtualHost(d.vhost()).declareExchange(d.name(), d.type(), false, true, d.autoDelete(),
                    d.internal(), d.arguments());
        }
        for (Definition.QueueDeclared d : queues.values()) {
            broker.addVirtualHost(d.vhost()).declareQueue(d.name(), false, true, false, d.autoDelete(),
                    d.arguments(), null);
        }
        for (Definition.Bound b : bindings) {
            VirtualHost vhost = broker.addVirtualHost(b.vhost());
            if (b.toQueue()) {
                vhost.bindQueue(b.destination(), b.source(), b.routingKey(), b.arguments(), null);
            } else {
                vhost.bindExchange(b.destination(), b.source(), b.routingKey(), b.arguments());
            }
        }
    }

    private long refillQueues() throws IOException {
        long messages = 0;
        for (VirtualHost vhost : broker.virtualHosts()) {
            for (Queue queue : vhost.queues()) {
                messages += queue.recover(persistence::contains);
            }
        }
        return messages;
    }

    private List<Definition> compacted() {
        List<Definition> state = new ArrayList<>(broker.accessControlState());
        state.addAll(exchanges.values());
        state.addAll(queues.values());
        state.addAll(bindings);
        state.addAll(policies.values());
        return state;
    }
}
