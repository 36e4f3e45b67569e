package dev.ferrymq.server.auth;

import dev.ferrymq.amqp.AmqpException;
import dev.ferrymq.amqp.FieldTable;
import dev.ferrymq.amqp.ReplyCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A username and password taken from a connection.start-ok response, for the PLAIN and AMQPLAIN mechanisms. */
public record Credentials(String username, String password) {

    public static Credentials parse(String mechanism, byte[] response) {
        return switch (mechanism) {
            case "PLAIN" -> parsePlain(response);
            case "AMQPLAIN" -> parseAmqPlain(response);
            default -> throw AmqpException.connection(ReplyCode.ACCESS_REFUSED,
                    "unsupported authentication mechanism '" + mechanism + "'");
        };
    }

    /** RFC 4616: [authzid] NUL authcid NUL passwd. */
    private static Credentials parsePlain(byte[] response) {
        String text = new String(response, StandardCharsets.UTF_8);
        int first = text.indexOf('\0');
        int second = first < 0 ? -1 : text.indexOf('\0', first + 1);
        if (second < 0) {
            throw AmqpException.connection(ReplyCode.ACCESS_REFUSED, "malformed PLAIN response");
        }
        return new Credentials(text.substring(first + 1, second), text.substring(second + 1));
    }

    /** AMQPLAIN: a field table without its length prefix, holding LOGIN and PASSWORD. */
    private static Credentials parseAmqPlain(byte[] response) {
        ByteBuf table = Unpooled.buffer(response.length + 4);
        try {
            table.writeInt(response.length).writeBytes(response);
            Map<String, Object> fields = FieldTable.read(table);
            Object login = fields.get("LOGIN");
            Object password = fields.get("PASSWORD");
            if (login == null || password == null) {
                throw AmqpException.connection(ReplyCode.ACCESS_REFUSED, "AMQPLAIN response lacks LOGIN or PASSWORD");
            }
            return new Credentials(asString(login), asString(password));
        } finally {
            table.release();
        }
    }

    private static String asString(Object value) {
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : value.toString();
    }
}
