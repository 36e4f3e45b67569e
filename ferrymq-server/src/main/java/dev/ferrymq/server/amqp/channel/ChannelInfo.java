package dev.ferrymq.server.amqp.channel;

import java.util.List;

/** A snapshot of one channel of a connection, for the management API (part of a connection's snapshot). */
public record ChannelInfo(int number, boolean confirm, boolean transactional, int prefetchCount,
                          int globalPrefetchCount, int unacked, List<ConsumerInfo> consumers) {
}
