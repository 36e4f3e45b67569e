package dev.ferrymq.broker.routing;

/** A test destination. Deliberately a record: value-equal instances must still be distinct destinations. */
record TestQueue(String name) implements Destination {
}
