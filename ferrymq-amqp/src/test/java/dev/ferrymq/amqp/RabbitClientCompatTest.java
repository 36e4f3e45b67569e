package dev.ferrymq.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.impl.AMQImpl;
import com.rabbitmq.client.impl.LongStringHelper;
import com.rabbitmq.client.impl.ValueReader;
import com.rabbitmq.client.impl.ValueWriter;
import dev.ferrymq.amqp.frame.AmqpFrameDecoder;
import dev.ferrymq.amqp.frame.ContentHeaderFrame;
import dev.ferrymq.amqp.frame.Frames;
import dev.ferrymq.amqp.frame.MethodFrame;
import dev.ferrymq.amqp.frame.ProtocolHeader;
import dev.ferrymq.amqp.method.BasicConsume;
import dev.ferrymq.amqp.method.BasicDeliver;
import dev.ferrymq.amqp.method.ConnectionClose;
import dev.ferrymq.amqp.method.ConnectionStartOk;
import dev.ferrymq.amqp.method.MethodDecoder;
import dev.ferrymq.amqp.method.MethodEncoder;
import dev.ferrymq.amqp.method.QueueDeclare;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Byte-level compatibility with the official RabbitMQ Java client's codec. */
class RabbitClientCompatTest {

    /** A table using every type the Java client writes. */
    static Map<String, Object> clientTable() {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("string", "héllo");
        t.put("longString", LongStringHelper.asLongString("long"));
        t.put("int", 42);
        t.put("long", -7L);
        t.put("short", (short) 300);
        t.put("byte", (byte) -1);
        t.put("float", 0.5f);
        t.put("double", 1e100);
        t.put("bool", true);
        t.put("decimal", new BigDecimal("3.14"));
        t.put("date", new Date(1_600_000_000_000L));
        t.put("bytes", new byte[] {7, 7});
        t.put("void", null);
        t.put("nested", Map.of("a", 1));
        t.put("list", List.of("x", 2, List.of(true)));
        return t;
    }

    /** What our decoder should yield for {@link #clientTable()} (LongString becomes String). */
    static Map<String, Object> expectedDecoded() {
        Map<String, Object> t = new LinkedHashMap<>(clientTable());
        t.put("longString", "long");
        return t;
    }

    @Test
    void decodesTablesWrittenByTheClient() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ValueWriter writer = new ValueWriter(new DataOutputStream(bytes));
        writer.writeTable(clientTable());
        writer.flush();

        Map<String, Object> decoded = FieldTable.read(Unpooled.wrappedBuffer(bytes.toByteArray()));
        assertTablesEqual(decoded, expectedDecoded());

        // Re-encoding what we decoded must give the client's bytes back.
        ByteBuf ours = Unpooled.buffer();
        FieldTable.write(ours, decoded);
        assertThat(ByteBufUtil.getBytes(ours)).isEqualTo(bytes.toByteArray());
    }

    @Test
    void clientDecodesTablesWeWrite() throws IOException {
        ByteBuf ours = Unpooled.buffer();
        FieldTable.write(ours, expectedDecoded());
        Map<String, Object> theirs = new ValueReader(in(ByteBufUtil.getBytes(ours))).readTable();
        assertTablesEqual(normalize(theirs), expectedDecoded());
    }

    @Test
    void decodesQueueDeclareWrittenByTheClient() throws IOException {
        AMQImpl.Queue.Declare declare = new AMQImpl.Queue.Declare(0, "orders", false, true, false, true, false,
                clientTable());
        byte[] frame = frameBytes(declare.toFrame(3));

        EmbeddedChannel ch = new EmbeddedChannel(new AmqpFrameDecoder(131072));
        ch.writeInbound(Unpooled.wrappedBuffer(ProtocolHeader.BYTES), Unpooled.wrappedBuffer(frame));
        assertThat(ch.<Object>readInbound()).isSameAs(ProtocolHeader.INSTANCE);
        MethodFrame mf = ch.readInbound();
        assertThat(mf.channel()).isEqualTo(3);
        QueueDeclare qd = (QueueDeclare) mf.method();
        assertThat(qd.queue()).isEqualTo("orders");
        assertThat(qd.passive()).isFalse();
        assertThat(qd.durable()).isTrue();
        assertThat(qd.exclusive()).isFalse();
        assertThat(qd.autoDelete()).isTrue();
        assertThat(qd.noWait()).isFalse();
        assertTablesEqual(qd.arguments(), expectedDecoded());

        // And our encoding of the decoded method is byte-identical to the client's.
        ByteBuf out = Unpooled.buffer();
        Frames.writeMethod(out, 3, qd);
        assertThat(ByteBufUtil.getBytes(out)).isEqualTo(frame);
    }

    @Test
    void clientDecodesMethodsWeWrite() throws IOException {
        var consume = (AMQImpl.Basic.Consume) clientRead(
                new BasicConsume("q1", "ctag", false, true, false, true, Map.of("x-priority", 5)));
        assertThat(consume.getQueue()).isEqualTo("q1");
        assertThat(consume.getConsumerTag()).isEqualTo("ctag");
        assertThat(consume.getNoLocal()).isFalse();
        assertThat(consume.getNoAck()).isTrue();
        assertThat(consume.getExclusive()).isFalse();
        assertThat(consume.getNowait()).isTrue();
        assertThat(consume.getArguments()).containsEntry("x-priority", 5);

        var deliver = (AMQImpl.Basic.Deliver) clientRead(new BasicDeliver("ctag", 1L << 40, true, "ex", "rk"));
        assertThat(deliver).isEqualTo(new AMQImpl.Basic.Deliver("ctag", 1L << 40, true, "ex", "rk"));

        var close = (AMQImpl.Connection.Close) clientRead(new ConnectionClose(404, "NOT_FOUND - x", 50, 10));
        assertThat(close).isEqualTo(new AMQImpl.Connection.Close(404, "NOT_FOUND - x", 50, 10));
    }

    @Test
    void decodesStartOkWrittenByTheClient() throws IOException {
        AMQImpl.Connection.StartOk startOk = new AMQImpl.Connection.StartOk(Map.of("product", "RabbitMQ"), "PLAIN",
                LongStringHelper.asLongString("\0guest\0guest"), "en_US");
        ConnectionStartOk ours = (ConnectionStartOk) MethodDecoder.decode(
                Unpooled.wrappedBuffer(startOk.toFrame(0).getPayload()));
        assertThat(ours).isEqualTo(new ConnectionStartOk(Map.of("product", "RabbitMQ"), "PLAIN",
                "\0guest\0guest".getBytes(), "en_US"));
    }

    @Test
    void basicPropertiesMatchTheClientByteForByte() throws IOException {
        Map<String, Object> headers = new LinkedHashMap<>(clientTable());
        headers.remove("bytes"); // arrays don't compare by value inside records
        AMQP.BasicProperties clientProps = new AMQP.BasicProperties("application/json", "gzip", headers, 2, 9,
                "corr-1", "amq.rabbitmq.reply-to", "60000", "msg-1", new Date(1_650_000_000_000L), "order.created",
                "guest", "ferry-app", "cluster-a");
        byte[] payload = clientProps.toFrame(1, 12345).getPayload();
        byte[] raw = Arrays.copyOfRange(payload, 12, payload.length);

        BasicProperties props = BasicProperties.decode(raw);
        Map<String, Object> expectedHeaders = new LinkedHashMap<>(expectedDecoded());
        expectedHeaders.remove("bytes");
        assertThat(props).isEqualTo(new BasicProperties("application/json", "gzip", expectedHeaders, 2, 9, "corr-1",
                "amq.rabbitmq.reply-to", "60000", "msg-1", 1_650_000_000L, "order.created", "guest", "ferry-app",
                "cluster-a"));
        assertThat(props.toBytes()).isEqualTo(raw);

        // Full content header frame through our decoder, then back through the client's reader.
        EmbeddedChannel ch = new EmbeddedChannel(new AmqpFrameDecoder(131072));
        ch.writeInbound(Unpooled.wrappedBuffer(ProtocolHeader.BYTES),
                Unpooled.wrappedBuffer(frameBytes(clientProps.toFrame(1, 12345))));
        ch.readInbound();
        ContentHeaderFrame header = ch.readInbound();
        assertThat(header).isEqualTo(new ContentHeaderFrame(1, 60, 12345, raw));
        assertThat(header.decodeProperties()).isEqualTo(props);

        ByteBuf ours = Unpooled.buffer();
        Frames.writeContentHeader(ours, 1, 60, 12345, props);
        ours.skipBytes(7); // type, channel, size
        AMQP.BasicProperties back = (AMQP.BasicProperties) AMQImpl.readContentHeaderFrom(in(ByteBufUtil.getBytes(ours)));
        assertThat(back.getBodySize()).isEqualTo(12345);
        assertThat(back.getReplyTo()).isEqualTo("amq.rabbitmq.reply-to");
        assertThat(back.getTimestamp()).isEqualTo(new Date(1_650_000_000_000L));
        assertThat(back.getClusterId()).isEqualTo("cluster-a");
        assertThat(back.getPriority()).isEqualTo(9);
        assertTablesEqual(normalize(back.getHeaders()), expectedHeaders);
    }

    @Test
    void emptyPropertiesMatchTheClient() throws IOException {
        byte[] payload = new AMQP.BasicProperties().toFrame(1, 0).getPayload();
        assertThat(BasicProperties.EMPTY.toBytes()).isEqualTo(Arrays.copyOfRange(payload, 12, payload.length));
        assertThat(BasicProperties.decode(BasicProperties.EMPTY.toBytes())).isEqualTo(BasicProperties.EMPTY);
    }

    // ---------------------------------------------------------------- helpers

    private static com.rabbitmq.client.impl.Method clientRead(Method m) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        MethodEncoder.write(buf, m);
        return AMQImpl.readMethodFrom(in(ByteBufUtil.getBytes(buf)));
    }

    private static byte[] frameBytes(com.rabbitmq.client.impl.Frame frame) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        frame.writeTo(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static DataInputStream in(byte[] bytes) {
        return new DataInputStream(new ByteArrayInputStream(bytes));
    }

    /** Converts the client's LongString values to String, recursively. */
    @SuppressWarnings("unchecked")
    private static <T> T normalize(T value) {
        if (value instanceof LongString ls) {
            return (T) ls.toString();
        } else if (value instanceof Map<?, ?> m) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(k, normalize(v)));
            return (T) copy;
        } else if (value instanceof List<?> l) {
            return (T) l.stream().map(RabbitClientCompatTest::normalize).toList();
        }
        return value;
    }

    /** Order-insensitive: the client copies tables into HashMaps in several places. */
    private static void assertTablesEqual(Map<String, Object> actual, Map<String, Object> expected) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((k, v) -> {
            if (v instanceof byte[] b) {
                assertThat((byte[]) actual.get(k)).as(k).isEqualTo(b);
            } else {
                assertThat(actual.get(k)).as(k).isEqualTo(v);
            }
        });
    }
}
