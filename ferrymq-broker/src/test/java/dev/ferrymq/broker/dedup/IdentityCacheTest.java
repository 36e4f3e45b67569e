package dev.ferrymq.broker.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class IdentityCacheTest {
    private static final long NOW = 1_000_000;

    @Test
    void aSecondAddOfTheSameIdentityIsADuplicateUntilItExpires() {
        IdentityCache cache = new IdentityCache(10);
        assertThat(cache.addIfAbsent(7, NOW + 100, NOW)).isTrue();
        assertThat(cache.addIfAbsent(7, NOW + 100, NOW + 50)).isFalse();
        assertThat(cache.addIfAbsent(7, NOW + 300, NOW + 100)).as("expired").isTrue();
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void aFullCacheEvictsInInsertionOrderAndNeverHoldsMoreThanItsCapacity() {
        IdentityCache cache = new IdentityCache(3);
        for (long id = 1; id <= 5; id++) {
            assertThat(cache.addIfAbsent(id, IdentityCache.NEVER, NOW)).isTrue();
        }
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.addIfAbsent(3, IdentityCache.NEVER, NOW)).isFalse();
        assertThat(cache.addIfAbsent(5, IdentityCache.NEVER, NOW)).isFalse();
        assertThat(cache.addIfAbsent(2, IdentityCache.NEVER, NOW)).as("evicted").isTrue();
    }

    @Test
    void agreesWithASimpleModelUnderRandomLoadWhileGrowingAndEvicting() {
        int capacity = 5_000;
        IdentityCache cache = new IdentityCache(capacity);
        java.util.LinkedHashSet<Long> model = new java.util.LinkedHashSet<>();
        Random random = new Random(1);
        for (int i = 0; i < 200_000; i++) {
            long id = random.nextInt(20_000) + 1;
            boolean expected = !model.contains(id);
            assertThat(cache.addIfAbsent(id, IdentityCache.NEVER, NOW)).isEqualTo(expected);
            if (expected) {
                model.add(id);
                if (model.size() > capacity) {
                    model.remove(model.iterator().next());
                }
            }
        }
        assertThat(cache.size()).isEqualTo(model.size());
        assertThat(cache.snapshot()).hasSize(2 * model.size());
    }
}
