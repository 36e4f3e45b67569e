package dev.ferrymq.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AmqpExceptionTest {

    @Test
    void formatsReplyTextLikeRabbitMq() {
        AmqpException e = AmqpException.channel(ReplyCode.NOT_FOUND, "no queue 'x' in vhost '/'").withMethod(50, 10);
        assertThat(e.replyText()).isEqualTo("NOT_FOUND - no queue 'x' in vhost '/'");
        assertThat(e.detail()).isEqualTo("no queue 'x' in vhost '/'");
        assertThat(e.connectionLevel()).isFalse();
        assertThat(e.classId()).isEqualTo(50);
        assertThat(e.methodId()).isEqualTo(10);
        assertThat(AmqpException.connection(ReplyCode.FRAME_ERROR, "x").connectionLevel()).isTrue();
    }

    @Test
    void takesTheMethodBeingHandledUnlessItNamesOneAlready() {
        AmqpException unnamed = AmqpException.channel(ReplyCode.NOT_FOUND, "no previously declared queue");
        assertThat(unnamed.orMethod(60, 70).classId()).isEqualTo(60);
        assertThat(unnamed.orMethod(60, 70).methodId()).isEqualTo(70);
        AmqpException named = unnamed.withMethod(50, 10);
        assertThat(named.orMethod(60, 70).classId()).isEqualTo(50);
        AmqpException none = AmqpException.connection(ReplyCode.UNEXPECTED_FRAME, "stray frame").withMethod(0, 0);
        assertThat(none.orMethod(60, 40).classId()).as("explicitly no method").isZero();
    }

    @Test
    void truncatesReplyTextToAShortString() {
        AmqpException e = AmqpException.connection(ReplyCode.INTERNAL_ERROR, "ü".repeat(300));
        assertThat(e.replyText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        assertThat(e.replyText()).startsWith("INTERNAL_ERROR - üü");
    }

    @Test
    void namesCodes() {
        assertThat(ReplyCode.name(404)).isEqualTo("NOT_FOUND");
        assertThat(ReplyCode.name(540)).isEqualTo("NOT_IMPLEMENTED");
        assertThat(ReplyCode.name(999)).isEqualTo("UNKNOWN_999");
        assertThat(ReplyCode.isHardError(ReplyCode.FRAME_ERROR)).isTrue();
        assertThat(ReplyCode.isHardError(ReplyCode.PRECONDITION_FAILED)).isFalse();
    }
}
