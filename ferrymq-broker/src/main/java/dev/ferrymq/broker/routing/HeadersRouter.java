package dev.ferrymq.broker.routing;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Headers exchange: the routing key is ignored; each binding's arguments are match criteria
 * against the message headers (see {@link HeadersMatcher}). The headers supplier is invoked at
 * most once per route call, and not at all when no binding depends on headers.
 * <p>
 * Thread-safety: route scans an immutable array of compiled bindings published through a
 * volatile field (no lock); mutations rebuild it under the {@link AbstractRouter} lock.
 */
public final class HeadersRouter extends AbstractRouter {

    private record Entry(Binding binding, HeadersMatcher matcher) {
    }

    private static final Entry[] NONE = new Entry[0];

    private volatile Entry[] entries = NONE;

    /**
     * RabbitMQ's bind-time check of the "x-match" argument. Returns null when valid, else the
     * message RabbitMQ sends (after "PRECONDITION_FAILED - ") when refusing queue.bind /
     * exchange.bind on a headers exchange.
     */
    public static String validateArguments(Map<String, Object> arguments) {
        if (arguments == null || !arguments.containsKey(HeadersMatcher.X_MATCH)) {
            return null;
        }
        Object mode = arguments.get(HeadersMatcher.X_MATCH);
        if (mode instanceof CharSequence cs) {
            String m = cs.toString();
            if (m.equals("all") || m.equals("any") || m.equals("all-with-x") || m.equals("any-with-x")) {
                return null;
            }
            return "Invalid x-match field value " + erlangBinary(m)
                    + "; expected all, any, all-with-x, or any-with-x";
        }
        return "Invalid x-match field type " + FieldTypes.amqpTypeName(mode) + " (value " + erlangTerm(mode)
                + "); expected longstr";
    }

    @Override
    public boolean usesRoutingKey() {
        return false;
    }

    @Override
    public void route(String routingKey, Supplier<Map<String, Object>> headers, Consumer<Destination> sink) {
        Entry[] snapshot = entries;
        Map<String, Object> messageHeaders = null;
        boolean fetched = false;
        for (Entry e : snapshot) {
            if (e.matcher.needsHeaders() && !fetched) {
                messageHeaders = headers == null ? null : headers.get();
                fetched = true;
            }
            if (e.matcher.matches(messageHeaders)) {
                sink.accept(e.binding.destination());
            }
        }
    }

    @Override
    protected void added(Binding binding) {
        Entry[] old = entries;
        Entry[] copy = java.util.Arrays.copyOf(old, old.length + 1);
        copy[old.length] = new Entry(binding, HeadersMatcher.compile(binding.arguments()));
        entries = copy;
    }

    @Override
    protected void removed(List<Binding> bindings) {
        List<Binding> remaining = currentBindings();
        Entry[] old = entries;
        Entry[] rebuilt = new Entry[remaining.size()];
        int n = 0;
        // Reuse compiled matchers; `remaining` and `old` are both in bind order.
        for (Entry e : old) {
            if (n < rebuilt.length && remaining.get(n).equals(e.binding)) {
                rebuilt[n++] = e;
            }
        }
        entries = rebuilt;
    }

    private static String erlangBinary(String s) {
        boolean ascii = s.chars().allMatch(c -> c < 128);
        return "<<\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + (ascii ? "\">>" : "\"/utf8>>");
    }

    private static String erlangTerm(Object v) {
        if (v == null) {
            return "undefined";
        }
        if (v instanceof byte[] b) {
            return erlangBinary(new String(b, StandardCharsets.UTF_8));
        }
        if (v instanceof Date d) {
            return Long.toString(Math.floorDiv(d.getTime(), 1000L));
        }
        return String.valueOf(v);
    }
}
