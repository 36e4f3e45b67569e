package dev.ferrymq.broker.routing;

import static dev.ferrymq.broker.routing.RoutingAssertions.routed;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HeadersRouterTest {
    private final HeadersRouter router = new HeadersRouter();
    private final TestQueue q = new TestQueue("q");

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private boolean matches(Map<String, Object> bindingArgs, Map<String, Object> headers) {
        HeadersRouter r = new HeadersRouter();
        r.bind(new Binding(q, "", bindingArgs));
        return routed(r, "", headers).contains(q);
    }

    @Test
    void allIsTheDefaultAndNeedsEveryCriterionWithEqualValue() {
        Map<String, Object> args = map("format", "pdf", "type", "report");
        assertThat(matches(args, map("format", "pdf", "type", "report", "extra", 1))).isTrue();
        assertThat(matches(args, map("format", "pdf"))).isFalse();
        assertThat(matches(args, map("format", "pdf", "type", "log"))).isFalse();
        assertThat(matches(args, map())).isFalse();
        assertThat(matches(args, null)).isFalse();
        assertThat(matches(map("x-match", "all", "format", "pdf"), map("format", "pdf"))).isTrue();
    }

    @Test
    void anyNeedsOneCriterion() {
        Map<String, Object> args = map("x-match", "any", "format", "pdf", "type", "report");
        assertThat(matches(args, map("type", "report"))).isTrue();
        assertThat(matches(args, map("format", "pdf", "type", "other"))).isTrue();
        assertThat(matches(args, map("format", "zip", "type", "log"))).isFalse();
        assertThat(matches(args, map())).isFalse();
        assertThat(matches(args, null)).isFalse();
    }

    @Test
    void unrecognisedXMatchValueBehavesAsAll() {
        Map<String, Object> args = map("x-match", "bogus", "a", 1, "b", 2);
        assertThat(matches(args, map("a", 1))).isFalse();
        assertThat(matches(args, map("a", 1, "b", 2))).isTrue();
        assertThat(matches(map("x-match", 7, "a", 1), map("a", 1, "x-match", 7))).isTrue();
    }

    @Test
    void xPrefixedArgumentsAreIgnoredForAllAndAny() {
        assertThat(matches(map("x-match", "all", "x-foo", "bar", "a", 1), map("a", 1))).isTrue();
        assertThat(matches(map("x-match", "any", "x-foo", "bar", "a", 1), map("x-foo", "bar"))).isFalse();
        // Only x- criteria under "any": nothing left to satisfy, so it never matches.
        assertThat(matches(map("x-match", "any", "x-foo", "bar"), map("x-foo", "bar"))).isFalse();
        // ... and under "all" everything matches.
        assertThat(matches(map("x-match", "all", "x-foo", "bar"), map())).isTrue();
    }

    @Test
    void withXModesCountXPrefixedArgumentsButNeverXMatchItself() {
        Map<String, Object> allX = map("x-match", "all-with-x", "x-foo", "bar", "a", 1);
        assertThat(matches(allX, map("a", 1))).isFalse();
        assertThat(matches(allX, map("a", 1, "x-foo", "bar"))).isTrue(); // no x-match header needed
        assertThat(matches(allX, map("a", 1, "x-foo", "baz"))).isFalse();
        Map<String, Object> anyX = map("x-match", "any-with-x", "x-foo", "bar", "a", 1);
        assertThat(matches(anyX, map("x-foo", "bar"))).isTrue();
        assertThat(matches(anyX, map("a", 1))).isTrue();
        assertThat(matches(anyX, map("x-match", "any-with-x"))).isFalse();
        // with-x and no criteria besides x-match: same empty-criteria rule as all/any.
        assertThat(matches(map("x-match", "all-with-x"), map())).isTrue();
        assertThat(matches(map("x-match", "any-with-x"), map("x-match", "any-with-x"))).isFalse();
    }

    @Test
    void noCriteriaAllMatchesEverythingWithoutReadingHeadersAndAnyMatchesNothing() {
        TestQueue qAny = new TestQueue("any");
        router.bind(new Binding(q, "", Map.of()));
        router.bind(new Binding(qAny, "", Map.of("x-match", "any")));
        List<Destination> out = new java.util.ArrayList<>();
        router.route("whatever", () -> {
            throw new AssertionError("headers requested");
        }, out::add);
        assertThat(out).containsExactly(q);
        assertThat(routed(router, "", map("a", 1))).containsExactly(q);
    }

    @Test
    void voidCriterionMatchesOnPresenceOnly() {
        Map<String, Object> args = map("flag", null);
        assertThat(matches(args, map("flag", "anything"))).isTrue();
        assertThat(matches(args, map("flag", null))).isTrue();
        assertThat(matches(args, map("other", 1))).isFalse();
        Map<String, Object> any = map("x-match", "any", "flag", null, "a", 1);
        assertThat(matches(any, map("flag", 0))).isTrue();
        assertThat(matches(any, map("b", 0))).isFalse();
        Map<String, Object> all = map("flag", null, "a", 1);
        assertThat(matches(all, map("flag", 0, "a", 1))).isTrue();
        assertThat(matches(all, map("flag", 0, "a", 2))).isFalse();
    }

    @Test
    void voidHeaderDoesNotEqualAValuedCriterion() {
        assertThat(matches(map("a", 1), map("a", null))).isFalse();
        assertThat(matches(map("x-match", "any", "a", "x"), map("a", null))).isFalse();
    }

    @Test
    void integralNumbersCompareByValueAcrossTypes() {
        Map<String, Object> args = map("n", 1);
        assertThat(matches(args, map("n", 1L))).isTrue();
        assertThat(matches(args, map("n", (byte) 1))).isTrue();
        assertThat(matches(args, map("n", (short) 1))).isTrue();
        assertThat(matches(args, map("n", 2L))).isFalse();
        assertThat(matches(args, map("n", "1"))).isFalse();
        assertThat(matches(args, map("n", true))).isFalse();
        assertThat(matches(map("n", Long.MAX_VALUE), map("n", Long.MAX_VALUE))).isTrue();
        assertThat(matches(map("n", (byte) -1), map("n", -1L))).isTrue();
    }

    @Test
    void integersAndFloatsCompareNumericallyLikeErlang() {
        assertThat(matches(map("n", 1), map("n", 1.0d))).isTrue();
        assertThat(matches(map("n", 1.5f), map("n", 1.5d))).isTrue();
        assertThat(matches(map("n", 1), map("n", 1.5d))).isFalse();
    }

    @Test
    void stringsCompareByContentWhateverTheCharSequenceOrByteArray() {
        assertThat(matches(map("s", "abc"), map("s", new StringBuilder("abc")))).isTrue();
        assertThat(matches(map("s", new StringBuilder("abc")), map("s", "abc"))).isTrue();
        assertThat(matches(map("s", "abc"), map("s", "abd"))).isFalse();
        assertThat(matches(map("s", "Abc"), map("s", "abc"))).isFalse();
        assertThat(matches(map("b", new byte[] {1, 2, 3}), map("b", new byte[] {1, 2, 3}))).isTrue();
        assertThat(matches(map("b", new byte[] {1, 2, 3}), map("b", new byte[] {1, 2}))).isFalse();
        // Both are Erlang binaries in RabbitMQ.
        assertThat(matches(map("s", "hé"), map("s", "hé".getBytes(StandardCharsets.UTF_8)))).isTrue();
    }

    @Test
    void otherValueTypesCompareByEquality() {
        assertThat(matches(map("b", true), map("b", true))).isTrue();
        assertThat(matches(map("b", true), map("b", false))).isFalse();
        assertThat(matches(map("b", true), map("b", "true"))).isFalse();
        assertThat(matches(map("d", new BigDecimal("1.0")), map("d", new BigDecimal("1.0")))).isTrue();
        assertThat(matches(map("d", new BigDecimal("1.0")), map("d", new BigDecimal("1.00")))).isFalse();
        assertThat(matches(map("t", new Date(1_700_000_000_000L)), map("t", new Date(1_700_000_000_000L)))).isTrue();
        assertThat(matches(map("t", new Date(1_700_000_000_000L)), map("t", new Date(1_700_000_001_000L)))).isFalse();
        assertThat(matches(map("l", List.of(1, "a")), map("l", List.of(1, "a")))).isTrue();
        assertThat(matches(map("l", List.of(1, "a")), map("l", List.of("a", 1)))).isFalse();
        assertThat(matches(map("l", List.of(new byte[] {7})), map("l", List.of(new byte[] {7})))).isTrue();
        assertThat(matches(map("m", Map.of("k", 1)), map("m", Map.of("k", 1)))).isTrue();
        assertThat(matches(map("m", Map.of("k", 1)), map("m", Map.of("k", 2)))).isFalse();
    }

    @Test
    void routingKeyIsIgnored() {
        router.bind(new Binding(q, "some-key", Map.of("a", 1)));
        assertThat(routed(router, "other-key", map("a", 1))).containsExactly(q);
        assertThat(routed(router, "some-key", map("a", 2))).isEmpty();
    }

    @Test
    void headersSupplierIsCalledAtMostOncePerRoute() {
        for (int i = 0; i < 20; i++) {
            router.bind(new Binding(new TestQueue("q" + i), "", Map.of("n", i)));
        }
        AtomicInteger calls = new AtomicInteger();
        List<Destination> out = new java.util.ArrayList<>();
        router.route("", () -> {
            calls.incrementAndGet();
            return map("n", 7);
        }, out::add);
        assertThat(calls).hasValue(1);
        assertThat(out).extracting(Destination::name).containsExactly("q7");
    }

    @Test
    void nullSupplierMeansNoHeaders() {
        router.bind(new Binding(q, "", Map.of("a", 1)));
        TestQueue all = new TestQueue("all");
        router.bind(new Binding(all, "", Map.of()));
        List<Destination> out = new java.util.ArrayList<>();
        router.route("", null, out::add);
        assertThat(out).containsExactly(all);
    }

    @Test
    void unbindAndRemoveDestinationKeepOtherMatchersWorking() {
        TestQueue q2 = new TestQueue("q2");
        TestQueue q3 = new TestQueue("q3");
        router.bind(new Binding(q, "", Map.of("a", 1)));
        router.bind(new Binding(q2, "", Map.of("a", 1, "b", 2)));
        router.bind(new Binding(q3, "", Map.of("x-match", "any", "b", 2)));
        router.unbind(new Binding(q, "", Map.of("a", 1)));
        assertThat(routed(router, "", map("a", 1, "b", 2))).containsExactly(q2, q3);
        router.removeDestination(q2);
        assertThat(routed(router, "", map("a", 1, "b", 2))).containsExactly(q3);
    }

    @Test
    void validateArgumentsAcceptsTheFourModesOrAbsence() {
        assertThat(HeadersRouter.validateArguments(null)).isNull();
        assertThat(HeadersRouter.validateArguments(Map.of())).isNull();
        assertThat(HeadersRouter.validateArguments(Map.of("a", 1))).isNull();
        for (String mode : List.of("all", "any", "all-with-x", "any-with-x")) {
            assertThat(HeadersRouter.validateArguments(Map.of("x-match", mode))).isNull();
        }
    }

    @Test
    void validateArgumentsRejectsOtherValuesWithRabbitMqsMessage() {
        assertThat(HeadersRouter.validateArguments(Map.of("x-match", "ALL")))
                .isEqualTo("Invalid x-match field value <<\"ALL\">>; expected all, any, all-with-x, or any-with-x");
        assertThat(HeadersRouter.validateArguments(Map.of("x-match", 1)))
                .isEqualTo("Invalid x-match field type signedint (value 1); expected longstr");
    }
}
