package dev.ferrymq.server.management;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A list answer whose items are turned into JSON only when needed. Sorting on one of the cheap {@code basic} fields
 * (such as name and vhost), filtering by name and paging run on those fields alone, so a page of 100 out of 10,000
 * queues renders 100 queues, as RabbitMQ's {@code augment_resources} does; sorting on any other field renders all
 * first. Immutable; {@code render} is called on the management thread.
 *
 * @param sources     the objects listed, in the handler's order
 * @param basicFields the fields {@code basic} gives
 * @param basic       an object's cheap fields
 * @param render      an object's full JSON
 */
record LazyList<T>(List<T> sources, List<String> basicFields, Function<T, Map<String, Object>> basic,
                   Function<T, Object> render) {

    /** A list of queues, exchanges and the like: basic fields name and vhost. */
    static <T> LazyList<T> byNameAndVhost(List<T> sources, Function<T, String> name, Function<T, String> vhost,
                                          Function<T, Object> render) {
        return new LazyList<>(sources, List.of("name", "vhost"),
                t -> Json.obj("name", name.apply(t), "vhost", vhost.apply(t)), render);
    }

    List<Object> renderAll(List<T> some) {
        List<Object> out = new ArrayList<>(some.size());
        some.forEach(t -> out.add(render.apply(t)));
        return out;
    }
}
