package dev.ferrymq.store;

import java.io.IOException;

/** Receives records from {@link SegmentLog#forEachRecord} (position) or {@link RecordFile#forEachRecord} (offset), in order. */
@FunctionalInterface
public interface RecordVisitor {
    void visit(long position, byte[] payload) throws IOException;
}
