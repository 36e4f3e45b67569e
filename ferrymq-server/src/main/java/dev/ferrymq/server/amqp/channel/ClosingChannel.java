package dev.ferrymq.server.amqp.channel;

import dev.ferrymq.amqp.Method;
import dev.ferrymq.amqp.method.BasicPublish;
import dev.ferrymq.amqp.method.ChannelClose;
import dev.ferrymq.amqp.method.ChannelCloseOk;
import dev.ferrymq.amqp.method.ChannelOpen;
import dev.ferrymq.amqp.method.MethodHandler;

/**
 * What a channel does with a method that arrives after it sent channel.close and before the client's close-ok,
 * as RabbitMQ's {@code rabbit_channel} does in its {@code closing} state:
 * <ul>
 *   <li>channel.close-ok ends the channel and frees its number;</li>
 *   <li>channel.close (the client's close crossed ours) is answered with close-ok, and the channel keeps waiting
 *       for the close-ok to ours;</li>
 *   <li>channel.open is a second open on that number: 504 CHANNEL_ERROR, which closes the connection;</li>
 *   <li>anything else is ignored; a basic.publish still has its content frames checked and dropped.</li>
 * </ul>
 * Stateless; runs on the connection's event loop.
 */
final class ClosingChannel {
    private ClosingChannel() {
    }

    static void onMethod(MethodHandler channel, Method method, IncomingMessage incoming) throws Exception {
        if (method instanceof ChannelCloseOk || method instanceof ChannelClose || method instanceof ChannelOpen) {
            method.dispatch(channel);
        } else if (method instanceof BasicPublish publish) {
            incoming.start(publish);
            incoming.discardRest();
        }
    }
}
