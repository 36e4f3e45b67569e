package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** RabbitMQ's direct reply-to: the amq.rabbitmq.reply-to pseudo-queue. */
class DirectReplyToTest extends AbstractBrokerIT {

    private static final String REPLY_TO = "amq.rabbitmq.reply-to";

    @Test
    void requestReplyThroughDirectReplyTo() throws Exception {
        // server side: a plain queue and a consumer that answers to the request's reply-to
        Channel server = openChannel();
        String requests = declareQueue(server);
        CompletableFuture<String> seenReplyTo = new CompletableFuture<>();
        server.basicConsume(requests, true, new DefaultConsumer(server) {
            @Override
            public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body)
                    throws IOException {
                seenReplyTo.complete(props.getReplyTo());
                AMQP.BasicProperties replyProps = new AMQP.BasicProperties.Builder()
                        .correlationId(props.getCorrelationId()).build();
                getChannel().basicPublish("", props.getReplyTo(), replyProps, bytes("re: " + text(body)));
            }
        });

        // client side: consume from the pseudo-queue (no-ack), then publish with reply-to set to it
        Channel client = openChannel();
        CompletableFuture<String> reply = new CompletableFuture<>();
        CompletableFuture<AMQP.BasicProperties> replyProps = new CompletableFuture<>();
        CompletableFuture<Envelope> replyEnvelope = new CompletableFuture<>();
        client.basicConsume(REPLY_TO, true, new DefaultConsumer(client) {
            @Override
            public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
                replyEnvelope.complete(env);
                replyProps.complete(props);
                reply.complete(text(body));
            }
        });
        AMQP.BasicProperties request = new AMQP.BasicProperties.Builder()
                .replyTo(REPLY_TO).correlationId("c-1").build();
        client.basicPublish("", requests, request, bytes("ping"));

        assertThat(seenReplyTo.get(5, TimeUnit.SECONDS)).startsWith(REPLY_TO + ".")
                .hasSizeGreaterThan(REPLY_TO.length() + 1);
        assertThat(reply.get(5, TimeUnit.SECONDS)).isEqualTo("re: ping");
        assertThat(replyProps.get().getCorrelationId()).isEqualTo("c-1");
        assertThat(replyEnvelope.get().getRoutingKey()).isEqualTo(seenReplyTo.get());
        assertThat(replyEnvelope.get().getExchange()).isEmpty();
    }

    @Test
    void pseudoQueueCanBeDeclaredPassively() throws Exception {
        // Spring's RabbitTemplate probes for direct reply-to support exactly like this
        Channel ch = openChannel();
        AMQP.Queue.DeclareOk ok = ch.queueDeclarePassive(REPLY_TO);
        assertThat(ok.getQueue()).isEqualTo(REPLY_TO);
        assertThat(ok.getMessageCount()).isZero();
        assertThat(ok.getConsumerCount()).as("RabbitMQ reports the pseudo-queue with one consumer").isEqualTo(1);
    }

    @Test
    void consumingPseudoQueueWithAcksIsPreconditionFailed() throws Exception {
        Channel ch = openChannel();
        assertChannelError(ch, PRECONDITION_FAILED,
                () -> ch.basicConsume(REPLY_TO, false, new DefaultConsumer(ch)));
    }

    @Test
    void publishingWithDirectReplyToButNoReplyConsumerIsPreconditionFailed() throws Exception {
        Channel ch = openChannel();
        String q = declareQueue(ch);
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().replyTo(REPLY_TO).build();
        assertChannelError(ch, PRECONDITION_FAILED, () -> ch.basicPublish("", q, props, bytes("no consumer")));
    }
}
