package dev.ferrymq.broker.metadata;

import dev.ferrymq.broker.BrokerException;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What applying a {@link MetadataCommand} answered, as bytes for the node that proposed it: a status byte, then the
 * refusal's reply code and text if there is one. A refusal (a {@link BrokerException} such as 406 for an
 * inequivalent redeclare, or an IllegalArgumentException such as an unknown user) is an answer like any other:
 * every node applies the command the same way and keeps the same state. Stateless.
 */
public final class MetadataAnswer {
    private static final byte NONE = 0;
    private static final byte TRUE = 1;
    private static final byte FALSE = 2;
    private static final byte BROKER_REFUSAL = 3;
    private static final byte INVALID_ARGUMENT = 4;
    private static final byte FAILURE = 5;

    private MetadataAnswer() {
    }

    /** Applies {@code command} and encodes its outcome; never throws for a refusal. */
    public static byte[] of(MetadataCommand command, java.util.function.Function<MetadataCommand, Object> apply) {
        try {
            Object result = apply.apply(command);
            return new byte[] {result == null ? NONE : (Boolean) result ? TRUE : FALSE};
        } catch (BrokerException e) {
            return refusal(BROKER_REFUSAL, e.replyCode(), e.getMessage());
        } catch (IllegalArgumentException e) {
            return refusal(INVALID_ARGUMENT, 0, e.getMessage());
        } catch (RuntimeException e) {
            return refusal(FAILURE, 0, String.valueOf(e));
        }
    }

    /** The answer's value (null or a Boolean), or the refusal it carries thrown as on a single node. */
    public static Object result(byte[] answer) {
        if (answer.length == 0) {
            return null; // a command skipped on replay, or an empty state
        }
        switch (answer[0]) {
            case NONE:
                return null;
            case TRUE:
                return Boolean.TRUE;
            case FALSE:
                return Boolean.FALSE;
            default:
                break;
        }
        ByteBuffer buffer = ByteBuffer.wrap(answer, 1, answer.length - 1);
        int code = buffer.getInt();
        String text = StandardCharsets.UTF_8.decode(buffer).toString();
        throw switch (answer[0]) {
            case BROKER_REFUSAL -> BrokerException.withCode(code, text);
            case INVALID_ARGUMENT -> new IllegalArgumentException(text);
            default -> new IllegalStateException("applying a metadata command failed: " + text);
        };
    }

    private static byte[] refusal(byte status, int code, String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(status);
            out.writeInt(code);
            out.write(String.valueOf(text).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
