package dev.ferrymq.server.config;

/**
 * A setting that cannot be used: an unknown key or a bad value. The message is one line naming the setting and
 * where it came from ({@code bad setting FERRYMQ_AMQP_PORT = 'abc': not a whole number}), for the operator.
 */
public final class SettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    SettingException(String message) {
        super(message);
    }
}
