package dev.ferrymq.broker;

/**
 * A refusal by the broker domain: the client asked for something that is not allowed in the current state.
 * The reply code is the AMQP 0-9-1 reply code the server sends (the domain keeps the numbers, not the codec),
 * and the text follows RabbitMQ's "CODE_NAME - detail" form so clients see familiar messages.
 */
public final class BrokerException extends RuntimeException {
    public static final int ACCESS_REFUSED = 403;
    public static final int NOT_FOUND = 404;
    public static final int RESOURCE_LOCKED = 405;
    public static final int PRECONDITION_FAILED = 406;
    public static final int COMMAND_INVALID = 503;
    public static final int NOT_ALLOWED = 530;
    public static final int NOT_IMPLEMENTED = 540;

    private final int replyCode;

    private BrokerException(int replyCode, String text) {
        super(text, null, false, false);
        this.replyCode = replyCode;
    }

    public int replyCode() {
        return replyCode;
    }

    /** A refusal with the reply code and text another node gave it (replicated metadata). */
    public static BrokerException withCode(int replyCode, String text) {
        return new BrokerException(replyCode, text);
    }

    public static BrokerException accessRefused(String detail) {
        return new BrokerException(ACCESS_REFUSED, "ACCESS_REFUSED - " + detail);
    }

    public static BrokerException notFound(String detail) {
        return new BrokerException(NOT_FOUND, "NOT_FOUND - " + detail);
    }

    public static BrokerException resourceLocked(String detail) {
        return new BrokerException(RESOURCE_LOCKED, "RESOURCE_LOCKED - " + detail);
    }

    public static BrokerException preconditionFailed(String detail) {
        return new BrokerException(PRECONDITION_FAILED, "PRECONDITION_FAILED - " + detail);
    }

    public static BrokerException commandInvalid(String detail) {
        return new BrokerException(COMMAND_INVALID, "COMMAND_INVALID - " + detail);
    }

    /** Hard errors close the whole connection rather than one channel. */
    public boolean connectionLevel() {
        return replyCode >= 500;
    }

    public static BrokerException notImplemented(String detail) {
        return new BrokerException(NOT_IMPLEMENTED, "NOT_IMPLEMENTED - " + detail);
    }

    public static BrokerException notAllowed(String detail) {
        return new BrokerException(NOT_ALLOWED, "NOT_ALLOWED - " + detail);
    }
}
