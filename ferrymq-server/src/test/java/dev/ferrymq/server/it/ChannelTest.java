package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Command;
import com.rabbitmq.client.Connection;
import org.junit.jupiter.api.Test;

/** Channel lifecycle: errors are confined to one channel; channel.flow. */
class ChannelTest extends AbstractBrokerIT {

    @Test
    void channelErrorClosesOnlyThatChannel() throws Exception {
        Connection c = connect();
        Channel bad = c.createChannel();
        Channel good = c.createChannel();
        String q = declareQueue(good);

        assertChannelError(bad, NOT_FOUND, () -> bad.queueDeclarePassive(unique("missing")));

        assertThat(c.isOpen()).isTrue();
        assertThat(good.isOpen()).isTrue();
        publish(good, "", q, "after the other channel failed");
        assertThat(getText(good, q)).isEqualTo("after the other channel failed");
        // a new channel can be opened after the failure, too
        Channel again = c.createChannel();
        assertThat(again.queueDeclarePassive(q).getQueue()).isEqualTo(q);
    }

    @Test
    void channelNumberCanBeReusedAfterClose() throws Exception {
        Connection c = connect();
        Channel first = c.createChannel(5);
        first.close();
        Channel second = c.createChannel(5);
        assertThat(second).isNotNull();
        assertThat(second.getChannelNumber()).isEqualTo(5);
        String q = second.queueDeclare("", false, true, true, null).getQueue();
        publish(second, "", q, "reused");
        assertThat(getText(second, q)).isEqualTo("reused");
    }

    @Test
    void channelFlowActiveIsAcknowledged() throws Exception {
        Channel ch = openChannel();
        Command reply = ch.rpc(new AMQP.Channel.Flow.Builder().active(true).build());
        assertThat(reply.getMethod()).isInstanceOf(AMQP.Channel.FlowOk.class);
        assertThat(((AMQP.Channel.FlowOk) reply.getMethod()).getActive()).isTrue();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void channelFlowInactiveFromClientIsNotImplemented() throws Exception {
        Channel ch = openChannel();
        // RabbitMQ does not let clients pause deliveries with channel.flow(active=false)
        assertConnectionError(ch, NOT_IMPLEMENTED,
                () -> ch.rpc(new AMQP.Channel.Flow.Builder().active(false).build()));
    }
}
