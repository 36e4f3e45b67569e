package dev.ferrymq.broker.routing;

import static dev.ferrymq.broker.routing.RoutingAssertions.routed;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Checks the trie against a naive backtracking matcher on 10,000 random bindings (fixed seed). */
class TopicRouterRandomizedTest {

    private static final String[] BINDING_WORDS = {"a", "b", "c", "", "*", "#"};
    private static final String[] ROUTING_WORDS = {"a", "b", "c", ""};

    @Test
    void tenThousandRandomBindingsRouteExactlyLikeTheReferenceMatcher() {
        Random random = new Random(20240917L);
        TopicRouter router = new TopicRouter();
        List<TestQueue> queues = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            queues.add(new TestQueue("q" + i));
        }
        Set<Binding> bound = new LinkedHashSet<>();
        while (bound.size() < 10_000) {
            Binding b = new Binding(queues.get(random.nextInt(queues.size())), randomKey(random, BINDING_WORDS, 6));
            assertThat(router.bind(b)).isEqualTo(bound.add(b));
        }
        List<String> routingKeys = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            routingKeys.add(randomKey(random, ROUTING_WORDS, 7));
        }
        routingKeys.add("");
        routingKeys.add(".");
        routingKeys.add("a.b.c.a.b.c.a.b.c");

        assertRoutesLikeReference(router, bound, routingKeys);

        // Remove a random half (by unbind and by removeDestination) and compare again.
        List<Binding> shuffled = new ArrayList<>(bound);
        Collections.shuffle(shuffled, random);
        for (Binding b : shuffled.subList(0, 5_000)) {
            assertThat(router.unbind(b)).isTrue();
            bound.remove(b);
        }
        for (TestQueue q : queues.subList(0, 30)) {
            router.removeDestination(q);
            bound.removeIf(b -> b.destination() == q);
        }
        assertThat(router.bindings()).containsExactlyInAnyOrderElementsOf(bound);
        assertRoutesLikeReference(router, bound, routingKeys);

        for (Binding b : new ArrayList<>(bound)) {
            router.unbind(b);
        }
        assertThat(router.isEmpty()).isTrue();
        assertThat(router.trieIsEmpty()).isTrue();
    }

    private static void assertRoutesLikeReference(TopicRouter router, Set<Binding> bound, List<String> routingKeys) {
        List<Binding> bindings = new ArrayList<>(bound);
        List<List<String>> patterns = bindings.stream().map(b -> words(b.routingKey())).toList();
        for (String key : routingKeys) {
            List<String> keyWords = words(key);
            Set<Destination> expected = Collections.newSetFromMap(new IdentityHashMap<>());
            for (int i = 0; i < bindings.size(); i++) {
                Binding b = bindings.get(i);
                if (match(patterns.get(i), 0, keyWords, 0)) {
                    expected.add(b.destination());
                }
            }
            List<Destination> actual = routed(router, key);
            assertThat(actual).as("routing key '%s'", key).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    private static String randomKey(Random random, String[] words, int maxWords) {
        int n = random.nextInt(maxWords + 1);
        if (n == 0) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append('.');
            }
            sb.append(words[random.nextInt(words.length)]);
        }
        return sb.toString();
    }

    // ---- naive reference: RabbitMQ word splitting + plain backtracking ----

    private static List<String> words(String key) {
        List<String> out = new ArrayList<>();
        if (key.isEmpty()) {
            return out; // RabbitMQ: the empty key has no words at all
        }
        int start = 0;
        for (int i = 0; i <= key.length(); i++) {
            if (i == key.length() || key.charAt(i) == '.') {
                out.add(key.substring(start, i));
                start = i + 1;
            }
        }
        return out;
    }

    private static boolean match(List<String> pattern, int p, List<String> words, int w) {
        if (p == pattern.size()) {
            return w == words.size();
        }
        String pw = pattern.get(p);
        if (pw.equals("#")) {
            return match(pattern, p + 1, words, w) || (w < words.size() && match(pattern, p, words, w + 1));
        }
        if (w == words.size()) {
            return false;
        }
        return (pw.equals("*") || pw.equals(words.get(w))) && match(pattern, p + 1, words, w + 1);
    }
}
