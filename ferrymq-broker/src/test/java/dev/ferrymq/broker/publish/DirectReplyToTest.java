package dev.ferrymq.broker.publish;

import static dev.ferrymq.broker.Messages.msg;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymq.broker.Message;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Direct reply-to addresses: unique, delivered to while registered, unroutable after. */
class DirectReplyToTest {
    private final DirectReplyTo directReplyTo = new DirectReplyTo();

    @Test
    void registeredAddressReceivesRepliesUntilUnregistered() {
        List<Message> received = new ArrayList<>();
        String address = directReplyTo.register(received::add);
        assertThat(address).startsWith(DirectReplyTo.ADDRESS + ".").hasSizeGreaterThan(30);

        Message reply = msg("pong");
        assertThat(directReplyTo.deliver(address, reply)).isTrue();
        assertThat(received).containsExactly(reply);

        directReplyTo.unregister(address);
        assertThat(directReplyTo.deliver(address, msg("late"))).isFalse();
        assertThat(received).hasSize(1);
    }

    @Test
    void addressesAreDistinctAndOnlyTheirOwnConsumerGetsTheReply() {
        List<Message> a = new ArrayList<>();
        List<Message> b = new ArrayList<>();
        String addressA = directReplyTo.register(a::add);
        String addressB = directReplyTo.register(b::add);
        assertThat(addressA).isNotEqualTo(addressB);
        directReplyTo.deliver(addressB, msg("x"));
        assertThat(a).isEmpty();
        assertThat(b).hasSize(1);
    }

    @Test
    void otherRoutingKeysAreNotReplyAddresses() {
        directReplyTo.register(m -> { });
        assertThat(directReplyTo.deliver("amq.rabbitmq.reply-to.unknown", msg("x"))).isFalse();
        assertThat(directReplyTo.deliver(DirectReplyTo.ADDRESS, msg("x"))).isFalse();
        assertThat(directReplyTo.deliver("queue", msg("x"))).isFalse();
        directReplyTo.unregister("not-an-address"); // ignored
    }
}
