package dev.ferrymq.store;

import java.io.IOException;

/** Receives records from {@link SegmentLog#forEachRecord}, in log order. */
@FunctionalInterface
public interface RecordVisitor {
    void visit(long position, byte[] payload) throws IOException;
}
