package dev.ferrymq.embedded;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.Exchange;
import dev.ferrymq.broker.Policy;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.queue.Queue;
import dev.ferrymq.server.management.DefinitionsImport;

import java.nio.file.Path;
import java.util.List;

/**
 * Puts a running broker's topology back to how it started, without a restart: in every virtual host, deletes every
 * queue (exclusive ones too; their consumers get basic.cancel), every exchange but the built-in {@code amq.*} ones
 * (with their bindings) and every policy, then applies the definitions file again, if there is one. Virtual hosts,
 * users and permissions stay. Calls the broker directly, not through AMQP, so it takes milliseconds.
 */
final class TopologyReset {
    private TopologyReset() {
    }

    static void deleteAll(Broker broker, Path definitions) {
        for (VirtualHost vhost : broker.virtualHosts()) {
            for (Queue queue : List.copyOf(vhost.queues())) {
                vhost.deleteQueue(queue.name(), false, false, queue.owner());
            }
            for (Exchange exchange : List.copyOf(vhost.exchanges())) {
                if (!exchange.name().isEmpty() && !exchange.name().startsWith("amq.")) {
                    vhost.deleteExchange(exchange.name(), false);
                }
            }
            for (boolean operator : new boolean[] {false, true}) {
                for (Policy policy : List.copyOf(vhost.policies().all(operator))) {
                    vhost.clearPolicy(policy.name(), operator);
                }
            }
        }
        if (definitions != null) {
            DefinitionsImport.load(broker, definitions);
        }
    }

    /** Drops the ready messages of every queue in every virtual host; topology and consumers stay. */
    static void purgeAll(Broker broker) {
        for (VirtualHost vhost : broker.virtualHosts()) {
            for (Queue queue : List.copyOf(vhost.queues())) {
                queue.purge();
            }
        }
    }
}
