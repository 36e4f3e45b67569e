package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.broker.MessageCounters;
import dev.ferrymq.broker.Permissions;
import dev.ferrymq.broker.TopicPermissions;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.store.Syncer;

/**
 * What the channels of one connection share from the broker and the configuration, handed in once at
 * connection.open so that no channel part reaches through the server for them. Immutable.
 *
 * @param user              the authenticated user's name
 * @param totals            the broker-wide message counters
 * @param syncer            the message store's group commit, for confirms and tx.commit-ok of stored messages
 * @param maxMessageSize    {@code max-message-size}: a larger body is 406 before anything is allocated
 * @param maxQueuesPerVhost RabbitMQ's vhost max-queues limit, 0 for none
 */
public record ChannelServices(VirtualHost vhost, String user, Permissions permissions,
                              TopicPermissions topicPermissions, MessageCounters totals, Syncer syncer,
                              long maxMessageSize, int maxQueuesPerVhost) {
}
