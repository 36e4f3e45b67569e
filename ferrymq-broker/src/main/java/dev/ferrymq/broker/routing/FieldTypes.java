package dev.ferrymq.broker.routing;

import java.math.BigDecimal;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** The AMQP field-type names RabbitMQ puts in its error texts. Stateless. */
public final class FieldTypes {

    private FieldTypes() {
    }

    /** RabbitMQ's name for the AMQP field type a decoded Java value came from. */
    public static String amqpTypeName(Object v) {
        if (v == null) {
            return "void";
        }
        if (v instanceof CharSequence) {
            return "longstr";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Byte) {
            return "byte";
        }
        if (v instanceof Short) {
            return "short";
        }
        if (v instanceof Integer) {
            return "signedint";
        }
        if (v instanceof Long) {
            return "long";
        }
        if (v instanceof Float) {
            return "float";
        }
        if (v instanceof Double) {
            return "double";
        }
        if (v instanceof BigDecimal) {
            return "decimal";
        }
        if (v instanceof Date) {
            return "timestamp";
        }
        if (v instanceof byte[]) {
            return "binary";
        }
        if (v instanceof List) {
            return "array";
        }
        if (v instanceof Map) {
            return "table";
        }
        return v.getClass().getSimpleName();
    }
}
