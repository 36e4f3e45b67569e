package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.Users;

import dev.ferrymq.server.it.RawAmqpClient.Args;
import dev.ferrymq.server.it.RawAmqpClient.Frame;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every channel.close and connection.close names the method that caused it (class id, method id), as RabbitMQ
 * does: one row per error path, each provoked on a raw socket after the handshake and channel 1's open. The
 * expected values were checked against RabbitMQ 3.10 ({@code -Dferrymq.it.broker=127.0.0.1:5699}). Refusals at
 * connection.open name it (10/40); a refused login names none (0/0, checked by hand).
 */
class CloseNamesFailingMethodTest extends AbstractRawSocketIT {

    private enum Scope { CHANNEL, CONNECTION }

    @FunctionalInterface
    private interface Provoke {
        void on(RawAmqpClient c) throws IOException;
    }

    private record Row(String what, Scope scope, int replyCode, int classId, int methodId, Provoke provoke) {
        @Override
        public String toString() {
            return what;
        }
    }

    Stream<Arguments> errorPaths() {
        return Stream.of(
                channel("basic.get on the default queue with none declared", NOT_FOUND, 60, 70,
                        c -> c.writeMethod(1, 60, 70, new Args().u16(0).shortStr("").u8(0))),
                channel("basic.consume on the default queue with none declared", NOT_FOUND, 60, 20,
                        c -> c.writeMethod(1, 60, 20, new Args().u16(0).shortStr("").shortStr("").u8(0).emptyTable())),
                channel("queue.purge on the default queue with none declared", NOT_FOUND, 50, 30,
                        c -> c.writeMethod(1, 50, 30, new Args().u16(0).shortStr("").u8(0))),
                channel("queue.delete on the default queue with none declared", NOT_FOUND, 50, 40,
                        c -> c.writeMethod(1, 50, 40, new Args().u16(0).shortStr("").u8(0))),
                channel("queue.bind on the default queue with none declared", NOT_FOUND, 50, 20,
                        c -> c.writeMethod(1, 50, 20, new Args().u16(0).shortStr("").shortStr("amq.direct")
                                .shortStr("k").u8(0).emptyTable())),
                channel("passive queue.declare of a missing queue", NOT_FOUND, 50, 10,
                        c -> c.writeMethod(1, 50, 10, new Args().u16(0).shortStr(missing()).u8(1).emptyTable())),
                channel("passive exchange.declare of a missing exchange", NOT_FOUND, 40, 10,
                        c -> c.writeMethod(1, 40, 10, new Args().u16(0).shortStr(missing()).shortStr("direct")
                                .u8(1).emptyTable())),
                channel("basic.publish to a missing exchange", NOT_FOUND, 60, 40,
                        c -> publish(c, missing(), 0, new byte[0])),
                channel("basic.get from a missing queue", NOT_FOUND, 60, 70,
                        c -> c.writeMethod(1, 60, 70, new Args().u16(0).shortStr(missing()).u8(0))),
                channel("basic.consume from a missing queue", NOT_FOUND, 60, 20,
                        c -> c.writeMethod(1, 60, 20, new Args().u16(0).shortStr(missing()).shortStr("")
                                .u8(0).emptyTable())),
                channel("queue.bind to a missing exchange", NOT_FOUND, 50, 20, c -> {
                    declareServerNamedQueue(c);
                    c.writeMethod(1, 50, 20, new Args().u16(0).shortStr("").shortStr(missing()).shortStr("k")
                            .u8(0).emptyTable());
                }),
                channel("exchange.bind to a missing source", NOT_FOUND, 40, 30,
                        c -> c.writeMethod(1, 40, 30, new Args().u16(0).shortStr("amq.direct").shortStr(missing())
                                .shortStr("k").u8(0).emptyTable())),
                channel("basic.ack of an unknown delivery tag", PRECONDITION_FAILED, 60, 80,
                        c -> c.writeMethod(1, 60, 80, new Args().u64(42).u8(0))),
                channel("basic.reject of an unknown delivery tag", PRECONDITION_FAILED, 60, 90,
                        c -> c.writeMethod(1, 60, 90, new Args().u64(42).u8(0))),
                channel("basic.nack of an unknown delivery tag", PRECONDITION_FAILED, 60, 120,
                        c -> c.writeMethod(1, 60, 120, new Args().u64(42).u8(0))),
                channel("tx.commit on a non-transactional channel", PRECONDITION_FAILED, 90, 20,
                        c -> c.writeMethod(1, 90, 20, new Args())),
                channel("tx.rollback on a non-transactional channel", PRECONDITION_FAILED, 90, 30,
                        c -> c.writeMethod(1, 90, 30, new Args())),
                channel("confirm.select on a transactional channel", PRECONDITION_FAILED, 85, 10, c -> {
                    c.writeMethod(1, 90, 10, new Args());
                    c.writeMethod(1, 85, 10, new Args().u8(0));
                }),
                channel("tx.select on a confirm channel", PRECONDITION_FAILED, 90, 10, c -> {
                    c.writeMethod(1, 85, 10, new Args().u8(0));
                    c.writeMethod(1, 90, 10, new Args());
                }),
                channel("queue.declare with an invalid argument", PRECONDITION_FAILED, 50, 10,
                        c -> c.writeMethod(1, 50, 10, new Args().u16(0).shortStr(missing()).u8(0)
                                .tableOf("x-max-length", "abc"))),
                channel("queue.declare of an amq. name", ACCESS_REFUSED, 50, 10,
                        c -> c.writeMethod(1, 50, 10, new Args().u16(0).shortStr("amq." + missing()).u8(0)
                                .emptyTable())),
                channel("exchange.delete of amq.direct", ACCESS_REFUSED, 40, 20,
                        c -> c.writeMethod(1, 40, 20, new Args().u16(0).shortStr("amq.direct").u8(0))),
                channel("publish with a user_id that is not the login", PRECONDITION_FAILED, 60, 40,
                        c -> publish(c, "", 0x0010, new Args().shortStr("someone-else").bytes())),
                channel("publish with an invalid expiration", PRECONDITION_FAILED, 60, 40,
                        c -> publish(c, "", 0x0100, new Args().shortStr("soon").bytes())),
                channel("basic.consume with a non-integer x-priority", PRECONDITION_FAILED, 60, 20, c -> {
                    declareServerNamedQueue(c);
                    c.writeMethod(1, 60, 20, new Args().u16(0).shortStr("").shortStr("").u8(0)
                            .tableOf("x-priority", "high"));
                }),
                channel("basic.consume on direct reply-to with acks", PRECONDITION_FAILED, 60, 20,
                        c -> c.writeMethod(1, 60, 20, new Args().u16(0).shortStr("amq.rabbitmq.reply-to")
                                .shortStr("").u8(0).emptyTable())),
                connection("basic.consume reusing a consumer tag", NOT_ALLOWED, 60, 20, c -> {
                    declareServerNamedQueue(c);
                    for (int i = 0; i < 2; i++) {
                        c.writeMethod(1, 60, 20, new Args().u16(0).shortStr("").shortStr("tag-1").u8(0)
                                .emptyTable());
                    }
                }),
                connection("exchange.declare of an unknown type", COMMAND_INVALID, 40, 10,
                        c -> c.writeMethod(1, 40, 10, new Args().u16(0).shortStr(missing()).shortStr("no-such-type")
                                .u8(0).emptyTable())),
                connection("basic.qos with a prefetch size", NOT_IMPLEMENTED, 60, 10,
                        c -> c.writeMethod(1, 60, 10, new Args().u32(1000).u16(0).u8(0))),
                connection("basic.publish with immediate", NOT_IMPLEMENTED, 60, 40, c -> {
                    c.writeMethod(1, 60, 40, new Args().u16(0).shortStr("").shortStr("k").u8(2));
                    c.writeFrame(RawAmqpClient.FRAME_HEADER, 1, contentHeader(1, 0, new byte[0]));
                    c.writeFrame(RawAmqpClient.FRAME_BODY, 1, new byte[] {'x'});
                }),
                connection("basic.recover with requeue=false", NOT_IMPLEMENTED, 60, 110,
                        c -> c.writeMethod(1, 60, 110, new Args().u8(0))),
                connection("basic.recover-async with requeue=false", NOT_IMPLEMENTED, 60, 100,
                        c -> c.writeMethod(1, 60, 100, new Args().u8(0))),
                connection("a connection method on channel 1", COMMAND_INVALID, 10, 70,
                        c -> c.writeMethod(1, 10, 70, new Args().longStr(new byte[] {'x'}).shortStr("r"))),
                connection("connection.tune-ok after connection.open", CHANNEL_ERROR, 10, 31,
                        c -> c.writeMethod(0, 10, 31, new Args().u16(0).u32(131072).u16(0))),
                connection("channel.flow active=false", NOT_IMPLEMENTED, 20, 20,
                        c -> c.writeMethod(1, 20, 20, new Args().u8(0))),
                connection("second channel.open", CHANNEL_ERROR, 20, 10,
                        c -> c.writeMethod(1, 20, 10, new Args().shortStr(""))),
                connection("method on a channel never opened", CHANNEL_ERROR, 50, 10,
                        c -> c.writeMethod(7, 50, 10, new Args().u16(0).shortStr("").u8(0).emptyTable())),
                connection("channel.close-ok on a channel never opened", CHANNEL_ERROR, 20, 41,
                        c -> c.writeMethod(7, 20, 41, new Args())),
                connection("content header on a channel never opened", UNEXPECTED_FRAME, 0, 0,
                        c -> c.writeFrame(RawAmqpClient.FRAME_HEADER, 7, contentHeader(1, 0, new byte[0]))),
                connection("content header without basic.publish", UNEXPECTED_FRAME, 0, 0,
                        c -> c.writeFrame(RawAmqpClient.FRAME_HEADER, 1, contentHeader(1, 0, new byte[0]))),
                connection("content body without basic.publish", UNEXPECTED_FRAME, 0, 0,
                        c -> c.writeFrame(RawAmqpClient.FRAME_BODY, 1, new byte[] {1})),
                connection("content header of another class", UNEXPECTED_FRAME, 60, 40, c -> {
                    c.writeMethod(1, 60, 40, new Args().u16(0).shortStr("").shortStr("k").u8(0));
                    c.writeFrame(RawAmqpClient.FRAME_HEADER, 1, new Args().u16(50).u16(0).u64(1).u16(0).bytes());
                }),
                connection("method where a content body was expected", UNEXPECTED_FRAME, 60, 40, c -> {
                    c.writeMethod(1, 60, 40, new Args().u16(0).shortStr("").shortStr("k").u8(0));
                    c.writeFrame(RawAmqpClient.FRAME_HEADER, 1, contentHeader(1, 0, new byte[0]));
                    c.writeMethod(1, 90, 10, new Args());
                }),
                connection("method where a content header was expected", UNEXPECTED_FRAME, 60, 40, c -> {
                    c.writeMethod(1, 60, 40, new Args().u16(0).shortStr("").shortStr("k").u8(0));
                    c.writeMethod(1, 90, 10, new Args());
                }),
                connection("channel.open on a channel the broker is closing", CHANNEL_ERROR, 20, 10, c -> {
                    brokerClosesChannel1(c);
                    c.writeMethod(1, 20, 10, new Args().shortStr(""));
                }),
                connection("content header on a channel the broker is closing", UNEXPECTED_FRAME, 0, 0, c -> {
                    brokerClosesChannel1(c);
                    c.writeFrame(RawAmqpClient.FRAME_HEADER, 1, contentHeader(1, 0, new byte[0]));
                }),
                connection("a second close-ok for a channel the broker closed", CHANNEL_ERROR, 20, 41, c -> {
                    brokerClosesChannel1(c);
                    c.writeMethod(1, 20, 41, new Args());
                    c.writeMethod(1, 20, 41, new Args());
                }),
                connection("basic.publish on a channel the client closed", CHANNEL_ERROR, 60, 40, c -> {
                    c.writeMethod(1, 20, 40, new Args().u16(200).shortStr("bye").u16(0).u16(0));
                    c.expectMethod(20, 41);
                    publish(c, "", 0, new byte[0]);
                }),
                connection("heartbeat on a channel other than 0", UNEXPECTED_FRAME, 0, 0,
                        c -> c.writeFrame(RawAmqpClient.FRAME_HEARTBEAT, 1, new byte[0])),
                connection("channel.open on channel 0", CHANNEL_ERROR, 20, 10,
                        c -> c.writeMethod(0, 20, 10, new Args().shortStr(""))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errorPaths")
    void closeNamesTheMethodThatCausedIt(Row row) throws Exception {
        try (RawAmqpClient c = raw()) {
            c.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 0);
            c.openChannel(1);
            row.provoke().on(c);
            Frame close = awaitClose(c);
            String seen = close.replyCode() + " " + close.failingClassId() + "/" + close.failingMethodId() + " "
                    + (close.channel() == 0 ? "connection" : "channel") + " close: " + close.replyText();
            assertThat(close.channel() == 0 ? Scope.CONNECTION : Scope.CHANNEL).as(seen).isEqualTo(row.scope());
            assertThat(close.replyCode()).as(seen).isEqualTo(row.replyCode());
            assertThat(close.failingClassId()).as("class id; " + seen).isEqualTo(row.classId());
            assertThat(close.failingMethodId()).as("method id; " + seen).isEqualTo(row.methodId());
            c.writeMethod(close.channel(), close.classId(), close.methodId() + 1, new Args()); // close-ok
        }
    }

    @Test
    void unknownVhostIsRefusedNamingConnectionOpen() throws Exception {
        ConnectionFactory factory = factory();
        factory.setVirtualHost(unique("no-such-vhost"));
        assertConnectionOpenRefused(factory);
    }

    @Test
    void vhostWithoutPermissionsIsRefusedNamingConnectionOpen() throws Exception {
        assumeFalse(broker.isExternal(), "needs a user without permissions (checked by hand on RabbitMQ: 530 10/40)");
        Broker domain = broker.server().broker();
        String user = unique("no-perms");
        domain.putUser(user, Users.hashPassword("pw"), List.of());
        ConnectionFactory factory = factory();
        factory.setUsername(user);
        factory.setPassword("pw");
        assertConnectionOpenRefused(factory);
    }

    @Test
    void channelNumbersAboveChannelMaxOpenAsInRabbitMq() throws Exception {
        try (RawAmqpClient c = raw()) {
            c.handshake(BrokerUnderTest.USER, BrokerUnderTest.PASSWORD, 0);
            c.openChannel(65535); // RabbitMQ limits how many channels are open, not their numbers
            declareServerNamedQueue(c, 65535);
        }
    }

    private static void assertConnectionOpenRefused(ConnectionFactory factory) {
        Throwable thrown = catchThrowable(() -> factory.newConnection().close());
        ShutdownSignalException sse = shutdownCause(thrown);
        assertThat(sse).as("refused with connection.close: %s", thrown).isNotNull();
        AMQP.Connection.Close close = (AMQP.Connection.Close) sse.getReason();
        assertThat(close.getReplyCode()).isEqualTo(NOT_ALLOWED);
        assertThat(close.getClassId()).as(close.getReplyText()).isEqualTo(10);
        assertThat(close.getMethodId()).as(close.getReplyText()).isEqualTo(40);
    }

    private static Frame awaitClose(RawAmqpClient c) throws IOException {
        try {
            while (true) {
                Frame f = c.readFrame();
                if (f.isMethod(10, 50) || f.isMethod(20, 40)) {
                    return f;
                }
            }
        } catch (SocketTimeoutException e) {
            return fail("the broker sent no close within " + READ_TIMEOUT);
        }
    }

    private static Arguments channel(String what, int code, int classId, int methodId, Provoke provoke) {
        return Arguments.of(new Row(what, Scope.CHANNEL, code, classId, methodId, provoke));
    }

    private static Arguments connection(String what, int code, int classId, int methodId, Provoke provoke) {
        return Arguments.of(new Row(what, Scope.CONNECTION, code, classId, methodId, provoke));
    }

    private static String missing() {
        return unique("missing");
    }

    /** Has the broker close channel 1 (404, publish to a missing exchange) and reads its channel.close. */
    private static void brokerClosesChannel1(RawAmqpClient c) throws IOException {
        publish(c, missing(), 0, new byte[0]);
        c.expectMethod(20, 40);
    }

    private static void declareServerNamedQueue(RawAmqpClient c) throws IOException {
        declareServerNamedQueue(c, 1);
    }

    private static void declareServerNamedQueue(RawAmqpClient c, int channel) throws IOException {
        // exclusive, auto-delete
        c.writeMethod(channel, 50, 10, new Args().u16(0).shortStr("").u8(0b0110).emptyTable());
        assertThat(c.expectMethod(50, 11).channel()).isEqualTo(channel);
    }

    /** basic.publish on channel 1 with routing key "k", a content header and a one-byte body. */
    private static void publish(RawAmqpClient c, String exchange, int propertyFlags, byte[] properties)
            throws IOException {
        c.writeMethod(1, 60, 40, new Args().u16(0).shortStr(exchange).shortStr("k").u8(0));
        c.writeFrame(RawAmqpClient.FRAME_HEADER, 1, contentHeader(1, propertyFlags, properties));
        c.writeFrame(RawAmqpClient.FRAME_BODY, 1, new byte[] {'x'});
    }

    private static byte[] contentHeader(long bodySize, int propertyFlags, byte[] properties) throws IOException {
        return new Args().u16(60).u16(0).u64(bodySize).u16(propertyFlags).raw(properties).bytes();
    }
}
