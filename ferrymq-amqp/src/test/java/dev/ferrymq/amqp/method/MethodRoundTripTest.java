package dev.ferrymq.amqp.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.Method;
import dev.ferrymq.amqp.ReplyCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.lang.reflect.Proxy;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MethodRoundTripTest {

    static Stream<Class<? extends Method>> methodTypes() {
        return MethodDecoder.methodTypes().stream();
    }

    static Method roundTrip(Method m) {
        ByteBuf buf = Unpooled.buffer();
        try {
            MethodEncoder.write(buf, m);
            Method decoded = MethodDecoder.decode(buf);
            assertThat(buf.isReadable()).as("all argument bytes consumed").isFalse();
            return decoded;
        } finally {
            buf.release();
        }
    }

    static byte[] encode(Method m) {
        ByteBuf buf = Unpooled.buffer();
        try {
            MethodEncoder.write(buf, m);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void generatesEveryMethodOfTheExtendedSpec() {
        assertThat(MethodDecoder.methodTypes()).extracting(Class::getSimpleName).containsExactlyInAnyOrder(
                "ConnectionStart", "ConnectionStartOk", "ConnectionSecure", "ConnectionSecureOk", "ConnectionTune",
                "ConnectionTuneOk", "ConnectionOpen", "ConnectionOpenOk", "ConnectionClose", "ConnectionCloseOk",
                "ConnectionBlocked", "ConnectionUnblocked", "ConnectionUpdateSecret", "ConnectionUpdateSecretOk",
                "ChannelOpen", "ChannelOpenOk", "ChannelFlow",
                "ChannelFlowOk", "ChannelClose", "ChannelCloseOk", "ExchangeDeclare", "ExchangeDeclareOk",
                "ExchangeDelete", "ExchangeDeleteOk", "ExchangeBind", "ExchangeBindOk", "ExchangeUnbind",
                "ExchangeUnbindOk", "QueueDeclare", "QueueDeclareOk", "QueueBind", "QueueBindOk", "QueueUnbind",
                "QueueUnbindOk", "QueuePurge", "QueuePurgeOk", "QueueDelete", "QueueDeleteOk", "BasicQos",
                "BasicQosOk", "BasicConsume", "BasicConsumeOk", "BasicCancel", "BasicCancelOk", "BasicPublish",
                "BasicReturn", "BasicDeliver", "BasicGet", "BasicGetOk", "BasicGetEmpty", "BasicAck", "BasicReject",
                "BasicRecoverAsync", "BasicRecover", "BasicRecoverOk", "BasicNack", "TxSelect", "TxSelectOk",
                "TxCommit", "TxCommitOk", "TxRollback", "TxRollbackOk", "ConfirmSelect", "ConfirmSelectOk");
    }

    /** Every component gets a distinct non-default value, so a lost or swapped field fails equality. */
    @ParameterizedTest
    @MethodSource("methodTypes")
    void roundTripsDistinctValues(Class<? extends Method> type) throws Exception {
        RecordComponent[] comps = type.getRecordComponents();
        Object[] args = new Object[comps.length];
        for (int i = 0; i < comps.length; i++) {
            args[i] = sample(comps[i].getType(), i);
        }
        Method m = construct(type, args);
        Method decoded = roundTrip(m);
        assertThat(decoded).isInstanceOf(type).isEqualTo(m);
        assertThat(decoded.hashCode()).isEqualTo(m.hashCode());
        assertThat(encode(decoded)).isEqualTo(encode(m));
    }

    /** Each bit set alone must come back in its own position (catches packing order mistakes). */
    @ParameterizedTest
    @MethodSource("methodTypes")
    void roundTripsEachBitAlone(Class<? extends Method> type) throws Exception {
        RecordComponent[] comps = type.getRecordComponents();
        for (int bit = 0; bit < comps.length; bit++) {
            if (comps[bit].getType() != boolean.class) {
                continue;
            }
            Object[] args = new Object[comps.length];
            for (int i = 0; i < comps.length; i++) {
                args[i] = comps[i].getType() == boolean.class ? i == bit : sample(comps[i].getType(), i);
            }
            Method m = construct(type, args);
            assertThat(roundTrip(m)).as("%s with only %s set", type.getSimpleName(), comps[bit].getName())
                    .isEqualTo(m);
        }
    }

    @ParameterizedTest
    @MethodSource("methodTypes")
    void idsNameAndDispatchMatchTheRecord(Class<? extends Method> type) throws Exception {
        RecordComponent[] comps = type.getRecordComponents();
        Object[] args = new Object[comps.length];
        for (int i = 0; i < comps.length; i++) {
            args[i] = sample(comps[i].getType(), i);
        }
        Method m = construct(type, args);
        assertThat(m.classId()).isEqualTo(type.getField("CLASS_ID").getInt(null));
        assertThat(m.methodId()).isEqualTo(type.getField("METHOD_ID").getInt(null));
        assertThat(MethodDecoder.methodName(m.classId(), m.methodId())).isEqualTo(m.name());

        List<String> called = new ArrayList<>();
        MethodHandler recorder = (MethodHandler) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {MethodHandler.class}, (proxy, method, a) -> {
                    called.add(method.getName());
                    assertThat(a[0]).isSameAs(m);
                    return null;
                });
        m.dispatch(recorder);
        assertThat(called).containsExactly("on" + type.getSimpleName());

        assertThatThrownBy(() -> m.dispatch(new MethodHandler() {}))
                .isInstanceOfSatisfying(AmqpException.class, e -> {
                    assertThat(e.replyCode()).isEqualTo(ReplyCode.NOT_IMPLEMENTED);
                    assertThat(e.connectionLevel()).isTrue();
                    assertThat(e.classId()).isEqualTo(m.classId());
                    assertThat(e.methodId()).isEqualTo(m.methodId());
                    assertThat(e.replyText()).startsWith("NOT_IMPLEMENTED - " + m.name());
                });
    }

    @Test
    void onlyContentMethodsHaveContent() {
        assertThat(MethodDecoder.methodTypes().stream().filter(t -> {
            try {
                return sampleOf(t).hasContent();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).map(Class::getSimpleName)).containsExactlyInAnyOrder("BasicPublish", "BasicReturn", "BasicDeliver",
                "BasicGetOk");
    }

    @Test
    void packsBasicConsumeBitsLsbFirstIntoOneOctet() {
        BasicConsume m = new BasicConsume("q", "tag", true, false, true, true, Map.of());
        byte[] bytes = encode(m);
        // class(2) method(2) reserved-1(2) "q"(1+1) "tag"(1+3) bits(1) table(4)
        assertThat(bytes).hasSize(2 + 2 + 2 + 2 + 4 + 1 + 4);
        assertThat(bytes[12]).isEqualTo((byte) 0b1101);
        assertThat(roundTrip(m)).isEqualTo(m);
    }

    @Test
    void packsQueueDeclareFiveBits() {
        QueueDeclare m = new QueueDeclare("q", false, true, false, true, true, Map.of("x-max-length", 10));
        byte[] bytes = encode(m);
        assertThat(bytes[8]).isEqualTo((byte) 0b11010);
        assertThat(roundTrip(m)).isEqualTo(m);
        QueueDeclare all = new QueueDeclare("", true, true, true, true, true, Map.of());
        assertThat(encode(all)[7]).isEqualTo((byte) 0b11111);
    }

    @Test
    void writesReservedFieldsAsZero() {
        // connection.open: vhost, reserved-1 shortstr, reserved-2 bit
        assertThat(encode(new ConnectionOpen("/"))).containsExactly(0, 10, 0, 40, 1, '/', 0, 0);
        // channel.open-ok: reserved longstr
        assertThat(encode(new ChannelOpenOk())).containsExactly(0, 20, 0, 11, 0, 0, 0, 0);
    }

    @Test
    void keepsFullWidthOfNumericFields() {
        ConnectionTune tune = new ConnectionTune(65535, 131072, 65535);
        assertThat(roundTrip(tune)).isEqualTo(tune);
        BasicQos qos = new BasicQos(Integer.MAX_VALUE, 65535, true);
        assertThat(roundTrip(qos)).isEqualTo(qos);
        BasicAck ack = new BasicAck(Long.MAX_VALUE, true);
        assertThat(roundTrip(ack)).isEqualTo(ack);
        ConnectionClose close = new ConnectionClose(541, "INTERNAL_ERROR - boom", 60, 40);
        assertThat(roundTrip(close)).isEqualTo(close);
        assertThat(close.classId()).isEqualTo(10);
        assertThat(close.failingClassId()).isEqualTo(60);
        ConnectionStart start = new ConnectionStart(0, 9, Map.of("product", "FerryMQ"), "PLAIN AMQPLAIN".getBytes(),
                "en_US".getBytes());
        assertThat(roundTrip(start)).isEqualTo(start);
    }

    @Test
    void byteArrayRecordsDoNotLeakSecretsInToString() {
        ConnectionStartOk ok = new ConnectionStartOk(Map.of(), "PLAIN", "\0guest\0secret".getBytes(), "en_US");
        assertThat(ok.toString()).doesNotContain("secret").contains("response=13 bytes");
    }

    @Test
    void unknownMethodIsNotImplemented() {
        ByteBuf buf = Unpooled.buffer().writeShort(60).writeShort(999);
        assertThatThrownBy(() -> MethodDecoder.decode(buf)).isInstanceOfSatisfying(AmqpException.class, e -> {
            assertThat(e.replyCode()).isEqualTo(540);
            assertThat(e.connectionLevel()).isTrue();
            assertThat(e.classId()).isEqualTo(60);
            assertThat(e.methodId()).isEqualTo(999);
        });
    }

    @Test
    void everyTruncationIsASyntaxError() {
        for (Class<? extends Method> type : MethodDecoder.methodTypes()) {
            byte[] full;
            try {
                full = encode(sampleOf(type));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            for (int len = 4; len < full.length; len++) {
                ByteBuf cut = Unpooled.wrappedBuffer(full, 0, len);
                int n = len;
                assertThatThrownBy(() -> MethodDecoder.decode(cut)).as("%s cut at %d", type.getSimpleName(), n)
                        .isInstanceOfSatisfying(AmqpException.class, e -> {
                            assertThat(e.replyCode()).isEqualTo(ReplyCode.SYNTAX_ERROR);
                            assertThat(e.replyText()).contains(MethodDecoder.methodName(e.classId(), e.methodId()));
                        });
            }
        }
    }

    static Method sampleOf(Class<? extends Method> type) throws Exception {
        RecordComponent[] comps = type.getRecordComponents();
        Object[] args = new Object[comps.length];
        for (int i = 0; i < comps.length; i++) {
            args[i] = sample(comps[i].getType(), i);
        }
        return construct(type, args);
    }

    static Method construct(Class<? extends Method> type, Object[] args) throws Exception {
        Class<?>[] types = Stream.of(type.getRecordComponents()).map(RecordComponent::getType).toArray(Class<?>[]::new);
        return type.getDeclaredConstructor(types).newInstance(args);
    }

    /** Values differ per position and fit the narrowest AMQP type (octet) for ints. */
    static Object sample(Class<?> t, int i) {
        if (t == int.class) {
            return 101 + 13 * i;
        } else if (t == long.class) {
            return Long.MAX_VALUE - 7 * i;
        } else if (t == boolean.class) {
            return true;
        } else if (t == String.class) {
            return "value-" + i + "-ünï";
        } else if (t == byte[].class) {
            return new byte[] {(byte) i, 0, (byte) 0xFF, 42};
        } else if (t == Map.class) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", i);
            m.put("x-dead-letter-exchange", "dlx");
            m.put("nested", Map.of("d", new BigDecimal("12.5")));
            return m;
        }
        throw new IllegalArgumentException("no sample for " + t);
    }
}
