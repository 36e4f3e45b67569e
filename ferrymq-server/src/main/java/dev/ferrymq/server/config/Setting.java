package dev.ferrymq.server.config;

import java.util.Locale;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * One server setting, defined once in {@link Settings}: its config-file key, from which the {@code ferrymq server}
 * flag ({@code --amqp-port}) and the environment variable ({@code FERRYMQ_AMQP_PORT}) are derived, how a value is
 * parsed and checked, its default, and its documentation (the picocli help and the table in docs/config.md).
 *
 * @param <T> the value's type; {@code Boolean} settings are switches ({@code --line-ack} alone means true)
 */
public final class Setting<T> {
    private final int index;
    private final String key;
    private final String label;
    private final Class<T> type;
    private final Function<String, T> parser;
    private final UnaryOperator<T> check;
    private final T defaultValue;
    private final String defaultDoc;
    private final String doc;

    Setting(int index, String key, String label, Class<T> type, Function<String, T> parser, UnaryOperator<T> check,
            T defaultValue, String defaultDoc, String doc) {
        this.index = index;
        this.key = key;
        this.label = label;
        this.type = type;
        this.parser = parser;
        this.check = check;
        this.defaultValue = defaultValue;
        this.defaultDoc = defaultDoc;
        this.doc = doc;
    }

    /** Position in {@link Settings#all()}, where {@link ServerConfig} keeps the value. */
    int index() {
        return index;
    }

    /** The config-file key, e.g. {@code amqp-port}. */
    public String key() {
        return key;
    }

    /** The {@code ferrymq server} flag: {@code --} and the key. */
    public String flag() {
        return "--" + key;
    }

    /** {@code FERRYMQ_} and the key upper-cased with '-' as '_'. */
    public String environmentVariable() {
        return environmentVariable(key);
    }

    static String environmentVariable(String key) {
        return "FERRYMQ_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** What the flag's value is called in the help ({@code N}, {@code FILE}); empty for a switch. */
    public String label() {
        return label;
    }

    public Class<T> type() {
        return type;
    }

    /** A switch: a flag without a value. */
    public boolean isSwitch() {
        return type == Boolean.class;
    }

    public T defaultValue() {
        return defaultValue;
    }

    /** The default as docs/config.md shows it (Markdown). */
    public String defaultDoc() {
        return defaultDoc;
    }

    /** What the setting means (Markdown). */
    public String doc() {
        return doc;
    }

    /** The value of a trimmed string, checked; IllegalArgumentException says what is wrong (not where). */
    public T parse(String raw) {
        return check(parser.apply(raw.trim()));
    }

    /** The value checked (and normalised, e.g. a log level upper-cased); IllegalArgumentException if it is bad. */
    public T check(T value) {
        return value == null ? null : check.apply(value);
    }

    @Override
    public String toString() {
        return key;
    }
}
