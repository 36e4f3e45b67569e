package dev.ferrymq.mqtt;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TopicMapperTest {

    @Test
    void levelSeparatorsAndSingleLevelWildcardsSwap() {
        assertThat(TopicMapper.toRoutingKey("sensors/kitchen/temperature")).isEqualTo("sensors.kitchen.temperature");
        assertThat(TopicMapper.toBindingKey("sensors/+/temperature")).isEqualTo("sensors.*.temperature");
        assertThat(TopicMapper.toBindingKey("sensors/#")).isEqualTo("sensors.#");
        assertThat(TopicMapper.toTopic("alerts.fire")).isEqualTo("alerts/fire");
    }

    @Test
    void aDotStaysInsideItsLevel() {
        assertThat(TopicMapper.toRoutingKey("v1.2/status")).isEqualTo("v1/2.status");
        assertThat(TopicMapper.toTopic(TopicMapper.toRoutingKey("v1.2/status"))).isEqualTo("v1.2/status");
    }

    @Test
    void filtersMatchAsMqttSays() {
        assertThat(TopicFilter.matches("a/+/c", "a/b/c")).isTrue();
        assertThat(TopicFilter.matches("a/+/c", "a/b/d")).isFalse();
        assertThat(TopicFilter.matches("a/#", "a")).isTrue();
        assertThat(TopicFilter.matches("a/#", "a/b/c")).isTrue();
        assertThat(TopicFilter.matches("#", "$SYS/uptime")).isFalse();
        assertThat(TopicFilter.matches("a/b", "a/b/c")).isFalse();
        assertThat(TopicFilter.isValid("a/#/b")).isFalse();
        assertThat(TopicFilter.isValid("a/b+")).isFalse();
        assertThat(TopicFilter.isValid("+/b/#")).isTrue();
    }
}
