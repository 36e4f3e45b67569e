package dev.ferrymq.mqtt;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * The answers to a connection's QoS 1 and 2 publishes (PUBACK, PUBREC), sent in the order the publishes arrived
 * (MQTT 3.1.1 §4.6), each only once its message is safe: an answer whose message was stored waits for the
 * store's fsync (and a retained message for its file), and the answers behind it wait with it. If making a message
 * safe fails the connection is closed unanswered, so the client publishes again. Confined to the event loop.
 */
final class PublishAcks {
    private static final Logger log = LoggerFactory.getLogger(PublishAcks.class);

    private static final class Pending {
        final MqttMessage answer;
        boolean ready;

        Pending(MqttMessage answer) {
            this.answer = answer;
        }
    }

    private final ChannelHandlerContext ctx;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    PublishAcks(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Sends {@code answer} after the earlier ones (written now, flushed at the end of the read batch). */
    void answer(MqttMessage answer) {
        if (pending.isEmpty()) {
            ctx.write(answer);
        } else {
            Pending ready = new Pending(answer);
            ready.ready = true;
            pending.add(ready);
        }
    }

    /** Sends {@code answer} once {@code safe} completes, and after the earlier ones. */
    void answerWhen(CompletableFuture<?> safe, MqttMessage answer) {
        Pending waiting = new Pending(answer);
        pending.add(waiting);
        safe.whenComplete((ignored, failure) -> ctx.executor().execute(() -> {
            if (failure != null) {
                log.warn("closing MQTT connection {}: a message it published could not be made safe: {}",
                        ctx.channel().remoteAddress(), failure.toString());
                ctx.close();
                return;
            }
            waiting.ready = true;
            boolean wrote = false;
            while (!pending.isEmpty() && pending.peek().ready) {
                ctx.write(pending.poll().answer);
                wrote = true;
            }
            if (wrote) {
                ctx.flush();
            }
        }));
    }
}
