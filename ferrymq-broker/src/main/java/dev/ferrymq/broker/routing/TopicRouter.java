package dev.ferrymq.broker.routing;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Topic exchange with RabbitMQ semantics: keys are '.'-separated words, '*' in a binding key
 * matches exactly one word, '#' zero or more (see {@link TopicWords} for the empty-word rules).
 * Backed by a {@link TopicTrie}, so routing cost does not grow with the number of bindings.
 * <p>
 * Thread-safety: route walks the trie without locking; mutations go through the
 * {@link AbstractRouter} lock, which is what serializes the trie's writers.
 */
public final class TopicRouter extends AbstractRouter {

    private final TopicTrie trie = new TopicTrie();

    @Override
    public void route(String routingKey, Supplier<Map<String, Object>> headers, Consumer<Destination> sink) {
        trie.match(routingKey, sink);
    }

    @Override
    protected void added(Binding binding) {
        trie.add(binding);
    }

    @Override
    protected void removed(List<Binding> bindings) {
        for (Binding b : bindings) {
            trie.remove(b);
        }
    }

    /** True when the trie holds no node besides its root; for tests of pruning. */
    boolean trieIsEmpty() {
        return trie.isEmpty();
    }
}
