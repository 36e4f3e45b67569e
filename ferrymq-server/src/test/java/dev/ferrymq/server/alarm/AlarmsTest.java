package dev.ferrymq.server.alarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The memory alarm believes a high reading only after a collection has had a chance to remove garbage. */
class AlarmsTest {
    private static final long MAX = 1_000;

    @Test
    void garbageAboveTheWatermarkRaisesNoAlarm() {
        AtomicLong used = new AtomicLong(900); // 900 of 1000 "used", 700 of it garbage
        AtomicInteger collections = new AtomicInteger();
        Alarms alarms = new Alarms(used::get, () -> {
            collections.incrementAndGet();
            used.set(200);
        }, MAX, 0.6, () -> Long.MAX_VALUE, 0);
        alarms.check();
        assertThat(alarms.isMemoryAlarm()).isFalse();
        assertThat(collections).hasValue(1);
    }

    @Test
    void liveDataAboveTheWatermarkRaisesTheAlarmAndItClearsWhenDrained() {
        AtomicLong used = new AtomicLong(900);
        Alarms alarms = new Alarms(used::get, () -> { }, MAX, 0.6, () -> Long.MAX_VALUE, 0);
        alarms.check();
        assertThat(alarms.isMemoryAlarm()).isTrue();
        used.set(300);
        alarms.check();
        assertThat(alarms.isMemoryAlarm()).isFalse();
    }

    @Test
    void noCollectionWhileBelowTheWatermark() {
        AtomicInteger collections = new AtomicInteger();
        Alarms alarms = new Alarms(() -> 100, collections::incrementAndGet, MAX, 0.6, () -> Long.MAX_VALUE, 0);
        alarms.check();
        assertThat(collections).hasValue(0);
    }
}
