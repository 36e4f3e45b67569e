package dev.ferrymq.cluster.remote;

import com.rabbitmq.client.Channel;
import dev.ferrymq.broker.Message;
import dev.ferrymq.broker.queue.LoadedEntry;

/**
 * A message the home node delivered to one of this node's consumers of a remote queue (or to basic.get): settling,
 * rejecting or requeueing it acks, rejects or requeues {@code deliveryTag} on the internode {@code channel} it came
 * on. {@code consumer} is the remote consumer that holds it, or null for basic.get.
 */
final class RemoteEntry extends LoadedEntry {
    final Channel channel;
    final long deliveryTag;
    final RemoteConsumer consumer;

    RemoteEntry(RemoteQueue queue, Channel channel, long deliveryTag, Message message, boolean redelivered,
                RemoteConsumer consumer) {
        super(queue, deliveryTag, message, redelivered);
        this.channel = channel;
        this.deliveryTag = deliveryTag;
        this.consumer = consumer;
    }
}
