package dev.ferrymq.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Garbage after the last intact record of the active segment and of a queue index (what a torn write leaves) is
 * cut off at start-up with a warning; nothing before it is lost, and appends continue cleanly after the cut.
 */
class TornTailTest extends AbstractCrashTest {

    private static final String QUEUE = "crash.torn";
    private static final int BODY = 300;
    private static final int COUNT = 100;

    /** A frame header that promises 16 bytes, then 16 bytes that do not match its CRC, then more junk. */
    private static final byte[] SEGMENT_GARBAGE = ByteBuffer.allocate(8 + 16 + 7)
            .putInt(16).putInt(0x12345678).put("not the payload!".getBytes()).put(new byte[] {1, 2, 3, 4, 5, 6, 7})
            .array();
    /** A frame header cut short: a torn write. */
    private static final byte[] INDEX_GARBAGE = {0, 0, 0, 9, 0x45};

    @Test
    void garbageAfterTheLastRecordIsTruncatedWithAWarning() throws Exception {
        broker.start();
        Connection c = connect();
        Channel ch = c.createChannel();
        ch.queueDeclare(QUEUE, true, false, false, null);
        publishConfirmed(ch, "", QUEUE, 1, COUNT, BODY, PERSISTENT, COUNT);
        stopGracefully();

        List<Path> segments = segmentFiles(broker.messagesDir());
        Path lastSegment = segments.get(segments.size() - 1);
        Path index = onlyFile(broker.queuesDir(), "*.idx");
        long segmentSize = Files.size(lastSegment);
        long indexSize = Files.size(index);
        Files.write(lastSegment, SEGMENT_GARBAGE, StandardOpenOption.APPEND);
        Files.write(index, INDEX_GARBAGE, StandardOpenOption.APPEND);

        broker.restart();
        String log = broker.logSinceLastStart();
        assertThat(warnLinesNaming(log, lastSegment)).as("WARN about the segment tail in\n%s", log).isNotEmpty();
        assertThat(warnLinesNaming(log, index)).as("WARN about the index tail in\n%s", log).isNotEmpty();
        assertThat(Files.size(lastSegment)).as("segment truncated back to its last intact record")
                .isEqualTo(segmentSize);
        assertThat(Files.size(index)).as("index no bigger than before the garbage").isLessThanOrEqualTo(indexSize);

        Connection c2 = connect();
        assertThat(messageCount(c2, QUEUE)).isEqualTo(COUNT);
        // Appends after the cut must be readable too: add 10 more, crash, and read all 110.
        Channel ch2 = c2.createChannel();
        publishConfirmed(ch2, "", QUEUE, COUNT + 1, COUNT + 10, BODY, PERSISTENT, 10);
        kill9();

        broker.restart();
        Connection c3 = connect();
        List<Received> recovered = drain(c3, QUEUE, COUNT + 10, BODY, true);
        assertThat(seqs(recovered)).isEqualTo(range(1, COUNT + 10));
        assertThat(recovered).allMatch(Received::intact);
    }

    private static Path onlyFile(Path dir, String glob) throws Exception {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
            ds.forEach(files::add);
        }
        assertThat(files).as("%s in %s", glob, dir).hasSize(1);
        return files.get(0);
    }

    private static List<String> warnLinesNaming(String log, Path file) {
        return log.lines().filter(line -> line.contains(" WARN ") && line.contains(file.getFileName().toString()))
                .toList();
    }
}
