package dev.ferrymq.broker.routing;

import static dev.ferrymq.broker.routing.RoutingAssertions.routed;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * route() on several threads while another thread binds and unbinds. Bounded: the writer does a
 * fixed amount of work, readers stop when it is done. A binding that is never touched must be
 * routed on every single call, even while neighbouring trie nodes are created and pruned.
 */
class RouterConcurrencyTest {

    private static final int READERS = 3;
    private static final int WRITER_ROUNDS = 3_000;

    @ParameterizedTest
    @ValueSource(strings = {"direct", "fanout", "topic", "headers"})
    void concurrentRoutingNeverFailsNorMissesStableBindingsAndSettlesCorrectly(String type) throws Exception {
        Router router = Router.forType(type);
        TestQueue stable = new TestQueue("stable");
        router.bind(new Binding(stable, "a.b", Map.of("h", 1)));
        Map<String, Object> headers = Map.of("h", 1);

        AtomicBoolean writerDone = new AtomicBoolean();
        AtomicLong routes = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(READERS + 1);
        try {
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                readers.add(pool.submit(() -> {
                    while (!writerDone.get()) {
                        boolean[] sawStable = {false};
                        router.route("a.b", () -> headers, d -> sawStable[0] |= d == stable);
                        assertThat(sawStable[0]).as("stable binding routed").isTrue();
                        routes.incrementAndGet();
                    }
                    return null;
                }));
            }
            List<TestQueue> churn = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                churn.add(new TestQueue("churn" + i));
            }
            Future<?> writer = pool.submit(() -> {
                String[] keys = {"a.b", "a.*", "a.#", "#", "a.b.c", "a", "*.b", "#.b"};
                for (int i = 0; i < WRITER_ROUNDS; i++) {
                    TestQueue q = churn.get(i % churn.size());
                    Binding b = new Binding(q, keys[i % keys.length], Map.of("h", 1));
                    if (!router.bind(b)) {
                        router.unbind(b);
                    }
                    if (i % 500 == 499) {
                        router.removeDestination(q);
                    }
                }
                // Settle into a known final state.
                churn.forEach(router::removeDestination);
                router.bind(new Binding(churn.get(0), "a.b", Map.of("h", 1))); // matches in every exchange type
                return null;
            });
            try {
                writer.get(60, TimeUnit.SECONDS);
            } finally {
                writerDone.set(true);
            }
            for (Future<?> f : readers) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(routes.get()).isPositive();
        assertThat(routed(router, "a.b", headers)).containsExactlyInAnyOrder(stable, churnZero(router));
        assertThat(router.bindings()).hasSize(2);
    }

    private static Destination churnZero(Router router) {
        return router.bindings().stream().map(Binding::destination)
                .filter(d -> d.name().equals("churn0")).findFirst().orElseThrow();
    }
}
