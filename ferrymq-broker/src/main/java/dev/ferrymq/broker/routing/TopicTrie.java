package dev.ferrymq.broker.routing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A trie over the words of topic binding keys. Each node has literal-word children, plus
 * optional '*' and '#' children; bindings hang off the node where their key ends.
 * <p>
 * Matching walks the trie with the routing key's words. A '#' node may absorb any number of
 * words; to stay polynomial with patterns like "#.a.#.a.#" each (hash node, word index) pair is
 * expanded at most once per match call, so a match costs O(nodes reached x words).
 * <p>
 * Thread-safety: {@link #match} takes no lock and may run concurrently with one writer;
 * {@link #add} and {@link #remove} must be serialized by the caller. Writers only publish
 * fully built nodes (via ConcurrentHashMap or volatile fields) and replace immutable binding
 * arrays, so readers see either the old or the new state of each node. A reader still inside a
 * pruned node only sees that node's last (empty) state.
 */
final class TopicTrie {

    private static final AtomicInteger NODE_IDS = new AtomicInteger();

    private static final class Node {
        final int id = NODE_IDS.incrementAndGet();
        final ConcurrentHashMap<String, Node> children = new ConcurrentHashMap<>(4);
        volatile Node star;
        volatile Node hash;
        volatile Binding[] bindings = CowArrays.EMPTY;

        boolean isEmpty() {
            return bindings.length == 0 && star == null && hash == null && children.isEmpty();
        }

        Node child(String word) {
            return switch (word) {
                case "*" -> star;
                case "#" -> hash;
                default -> children.get(word);
            };
        }

        Node createChild(String word) {
            Node existing = child(word);
            if (existing != null) {
                return existing;
            }
            Node created = new Node();
            switch (word) {
                case "*" -> star = created;
                case "#" -> hash = created;
                default -> children.put(word, created);
            }
            return created;
        }

        void removeChild(String word) {
            switch (word) {
                case "*" -> star = null;
                case "#" -> hash = null;
                default -> children.remove(word);
            }
        }
    }

    private final Node root = new Node();

    /** Caller serializes writers. */
    void add(Binding binding) {
        Node node = root;
        for (String word : TopicWords.split(binding.routingKey())) {
            node = node.createChild(word);
        }
        node.bindings = CowArrays.with(node.bindings, binding);
    }

    /** Caller serializes writers. Prunes nodes left without bindings or children. */
    void remove(Binding binding) {
        String[] words = TopicWords.split(binding.routingKey());
        List<Node> path = new ArrayList<>(words.length + 1);
        Node node = root;
        path.add(node);
        for (String word : words) {
            node = node.child(word);
            if (node == null) {
                return;
            }
            path.add(node);
        }
        node.bindings = CowArrays.without(node.bindings, binding);
        for (int i = words.length; i > 0 && path.get(i).isEmpty(); i--) {
            path.get(i - 1).removeChild(words[i - 1]);
        }
    }

    boolean isEmpty() {
        return root.isEmpty();
    }

    void match(String routingKey, Consumer<Destination> sink) {
        new Walk(TopicWords.split(routingKey), sink).visit(root, 0);
    }

    /** State of one match call. Confined to the calling thread. */
    private static final class Walk {
        final String[] words;
        final Consumer<Destination> sink;
        HashSet<Long> expandedHashes; // (hash node id, word index), allocated on first '#'

        Walk(String[] words, Consumer<Destination> sink) {
            this.words = words;
            this.sink = sink;
        }

        /** Matches the rest of the routing key, from word {@code i}, against the subtrie at {@code node}. */
        void visit(Node node, int i) {
            if (i == words.length) {
                for (Binding b : node.bindings) {
                    sink.accept(b.destination());
                }
            } else {
                Node literal = node.children.get(words[i]);
                if (literal != null) {
                    visit(literal, i + 1);
                }
                Node star = node.star;
                if (star != null) {
                    visit(star, i + 1);
                }
            }
            Node hash = node.hash;
            if (hash != null) {
                absorb(hash, i);
            }
        }

        /** '#' node reached at word i: it may swallow words i..j-1 for every j in i..n. */
        void absorb(Node hash, int from) {
            if (expandedHashes == null) {
                expandedHashes = new HashSet<>();
            }
            for (int j = from; j <= words.length; j++) {
                // If (hash, j) was already expanded, so were all later j (expansions run to the end).
                if (!expandedHashes.add(((long) hash.id << 32) | j)) {
                    return;
                }
                visit(hash, j);
            }
        }
    }
}
