package dev.ferrymq.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FieldTableTest {

    static Map<String, Object> roundTrip(Map<String, Object> table) {
        ByteBuf buf = Unpooled.buffer();
        FieldTable.write(buf, table);
        Map<String, Object> decoded = FieldTable.read(buf);
        assertThat(buf.isReadable()).isFalse();
        return decoded;
    }

    @Test
    void roundTripsEveryEncodableType() {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("bool", true);
        t.put("false", false);
        t.put("byte", (byte) -5);
        t.put("short", (short) -300);
        t.put("int", Integer.MIN_VALUE);
        t.put("long", Long.MAX_VALUE);
        t.put("float", 1.5f);
        t.put("double", -2.25d);
        t.put("decimal", new BigDecimal("-123.4567"));
        t.put("string", "héllo wörld ✓");
        t.put("bytes", new byte[] {1, 2, 3});
        t.put("date", new Date(1_700_000_000_000L));
        t.put("void", null);
        t.put("table", Map.of("inner", Map.of("deeper", 1)));
        t.put("list", List.of(1, "two", List.of(3L), Map.of("k", "v")));
        t.put("emptyTable", Map.of());
        t.put("emptyList", List.of());

        Map<String, Object> d = roundTrip(t);
        assertThat(d.keySet()).containsExactlyElementsOf(t.keySet());
        d.forEach((k, v) -> {
            if (v instanceof byte[] b) {
                assertThat(b).isEqualTo((byte[]) t.get(k));
            } else {
                assertThat(v).as(k).isEqualTo(t.get(k));
            }
        });
    }

    @Test
    void encodesObjectArraysAndCharSequencesAsArraysAndStrings() {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("arr", new Object[] {"a", 1});
        t.put("sb", new StringBuilder("built"));
        Map<String, Object> d = roundTrip(t);
        assertThat(d).containsEntry("arr", List.of("a", 1)).containsEntry("sb", "built");
    }

    @Test
    void decodesTypesOnlyOtherPeersWrite() {
        ByteBuf values = Unpooled.buffer();
        Wire.writeShortString(values, "B");
        values.writeByte('B').writeByte(200);
        Wire.writeShortString(values, "u");
        values.writeByte('u').writeShort(65000);
        Wire.writeShortString(values, "i");
        values.writeByte('i').writeInt(-1);
        ByteBuf buf = Unpooled.buffer().writeInt(values.readableBytes()).writeBytes(values);
        assertThat(FieldTable.read(buf)).containsExactly(
                Map.entry("B", (short) 200), Map.entry("u", 65000), Map.entry("i", 4294967295L));
    }

    @Test
    void writesDecimalAsScaleAndSignedUnscaled() {
        ByteBuf buf = Unpooled.buffer();
        FieldTable.writeValue(buf, new BigDecimal("-1.05"));
        assertThat(buf.readByte()).isEqualTo((byte) 'D');
        assertThat(buf.readUnsignedByte()).isEqualTo((short) 2);
        assertThat(buf.readInt()).isEqualTo(-105);
    }

    @Test
    void nullTableIsEmpty() {
        ByteBuf buf = Unpooled.buffer();
        FieldTable.write(buf, null);
        assertThat(buf.readInt()).isZero();
    }

    @Test
    void rejectsUnsupportedValuesOnWrite() {
        ByteBuf buf = Unpooled.buffer();
        assertThatThrownBy(() -> FieldTable.write(buf, Map.of("x", new Object())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FieldTable.writeValue(buf, new BigDecimal("1E+3")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FieldTable.writeValue(buf, new BigDecimal("99999999999")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FieldTable.write(buf, Map.of("x".repeat(256), 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsUnknownTypeTag() {
        ByteBuf buf = Unpooled.buffer().writeInt(3).writeByte(1).writeByte('k').writeByte('Z');
        assertSyntaxError(buf, "unknown field type");
    }

    @Test
    void refusesTableLengthBeyondReadableBytesWithoutAllocating() {
        assertSyntaxError(Unpooled.buffer().writeInt(0x7FFF_FFF0).writeZero(16), "field table length");
        assertSyntaxError(Unpooled.buffer().writeInt(0xFFFF_FFFF), "field table length");
    }

    @Test
    void refusesInnerLengthsBeyondTheTable() {
        // a byte array value claiming 1 GB inside a 10-byte table
        ByteBuf buf = Unpooled.buffer().writeInt(7).writeByte(1).writeByte('k').writeByte('x').writeInt(1 << 30);
        assertSyntaxError(buf, "byte array");
        ByteBuf str = Unpooled.buffer().writeInt(7).writeByte(1).writeByte('k').writeByte('S').writeInt(100);
        assertSyntaxError(str, "string");
    }

    @Test
    void refusesTruncatedValue() {
        ByteBuf buf = Unpooled.buffer().writeInt(5).writeByte(1).writeByte('k').writeByte('I').writeShort(1);
        assertSyntaxError(buf, "truncated");
    }

    @Test
    void boundsNestingDepth() {
        Object nested = List.of();
        for (int i = 1; i < FieldTable.MAX_DEPTH; i++) {
            nested = List.of(nested);
        }
        Map<String, Object> ok = Map.of("n", nested);
        assertThat(roundTrip(ok)).isEqualTo(ok);

        Map<String, Object> tooDeep = Map.of("n", List.of(nested));
        assertThatThrownBy(() -> FieldTable.write(Unpooled.buffer(), tooDeep))
                .isInstanceOf(IllegalArgumentException.class);

        // hand-build 100 nested arrays: A [len] A [len] ...
        int depth = 100;
        ByteBuf buf = Unpooled.buffer();
        buf.writeInt(2 + depth * 5).writeByte(1).writeByte('n');
        for (int i = 0; i < depth; i++) {
            buf.writeByte('A').writeInt((depth - i - 1) * 5);
        }
        assertSyntaxError(buf, "nesting");
    }

    @Test
    void preservesInsertionOrder() {
        Map<String, Object> t = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>();
        for (int i = 20; i > 0; i--) {
            t.put("k" + i, i);
            keys.add("k" + i);
        }
        assertThat(roundTrip(t).keySet()).containsExactlyElementsOf(keys);
    }

    @Test
    void wireStringLimits() {
        ByteBuf buf = Unpooled.buffer();
        Wire.writeShortString(buf, "é".repeat(127));
        assertThat(Wire.readShortString(buf)).isEqualTo("é".repeat(127));
        assertThatThrownBy(() -> Wire.writeShortString(buf, "é".repeat(128)))
                .isInstanceOf(IllegalArgumentException.class);
        Wire.writeLongString(buf, new byte[] {9, 8});
        assertThat(Wire.readLongString(buf)).containsExactly(9, 8);
        buf.writeInt(Integer.MAX_VALUE);
        assertThatThrownBy(() -> Wire.readLongString(buf)).isInstanceOf(AmqpException.class);
    }

    @Test
    void shortStringsOfEveryLengthWithOneNonAsciiCharacterAnywhereRoundTrip() {
        ByteBuf buf = Unpooled.buffer();
        for (int len = 0; len <= 20; len++) {
            String ascii = "k".repeat(len);
            buf.writeByte(7); // the string need not start at an aligned index
            Wire.writeShortString(buf, ascii);
            buf.skipBytes(1);
            assertThat(Wire.readShortString(buf)).isEqualTo(ascii);
            for (int at = 0; at < len; at++) {
                String mixed = ascii.substring(0, at) + "é" + ascii.substring(at + 1);
                Wire.writeShortString(buf, mixed);
                assertThat(Wire.readShortString(buf)).isEqualTo(mixed);
            }
        }
        assertThat(buf.isReadable()).isFalse();
    }

    @Test
    void refusesShortStringWithBadUtf8AfterAnAsciiPrefix() {
        ByteBuf buf = Unpooled.buffer().writeByte(12).writeBytes("abcdefghij".getBytes()).writeByte(0xC3)
                .writeByte('x');
        assertThatThrownBy(() -> Wire.readShortString(buf)).isInstanceOfSatisfying(AmqpException.class,
                e -> assertThat(e.replyCode()).isEqualTo(ReplyCode.SYNTAX_ERROR));
    }

    @Test
    void refusesShortStringThatIsNotUtf8() {
        // 255 bytes of 0xFF would decode to 255 replacement characters, 765 bytes when echoed back
        ByteBuf buf = Unpooled.buffer().writeByte(255).writeBytes(new byte[255]).setBytes(1, new byte[] {-1, -1});
        assertThatThrownBy(() -> Wire.readShortString(buf)).isInstanceOfSatisfying(AmqpException.class,
                e -> assertThat(e.replyCode()).isEqualTo(ReplyCode.SYNTAX_ERROR));
    }

    private static void assertSyntaxError(ByteBuf buf, String text) {
        assertThatThrownBy(() -> FieldTable.read(buf)).isInstanceOfSatisfying(AmqpException.class, e -> {
            assertThat(e.replyCode()).isEqualTo(ReplyCode.SYNTAX_ERROR);
            assertThat(e.connectionLevel()).isTrue();
            assertThat(e.replyText()).startsWith("SYNTAX_ERROR - ").contains(text);
        });
    }
}
