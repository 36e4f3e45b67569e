package dev.ferrymq.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.ferrymq.broker.persistence.MessageCodec;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Bytes flipped inside a record of a sealed (not the last) segment: the broker must not serve wrong data. It may
 * refuse to start (naming the file) or start and fail the delivery of the damaged message loudly; either way no
 * wrong bytes reach a client and the message is not dropped silently.
 *
 * <p>FerryMQ only checks sealed segments' headers at start-up (docs/storage.md), so what is expected here is the
 * second outcome: it starts, delivers every message before the damaged one intact, then closes the consuming
 * channel with 541 INTERNAL_ERROR and keeps the damaged message (and everything after it) in the queue.
 */
class CorruptSegmentTest extends AbstractCrashTest {

    private static final String QUEUE = "crash.corrupt";
    private static final int BODY = KillAfterSegmentRollTest.BODY;
    private static final int COUNT = KillAfterSegmentRollTest.COUNT;
    /** Which record of segment 1 (0-based) gets damaged. */
    private static final int DAMAGED_RECORD = 400;

    @Test
    void aDamagedRecordInASealedSegmentIsNeverServed() throws Exception {
        broker.start();
        Connection c = connect();
        Channel ch = c.createChannel();
        ch.queueDeclare(QUEUE, true, false, false, null);
        publishConfirmed(ch, "", QUEUE, 1, COUNT, BODY, PERSISTENT, 50);
        stopGracefully();

        List<Path> segments = segmentFiles(broker.messagesDir());
        assertThat(segments).as("segments").hasSizeGreaterThanOrEqualTo(2);
        Path sealed = segments.get(0);
        long damagedSeq = damageRecord(sealed, DAMAGED_RECORD);

        Optional<Integer> exit = broker.startAllowingExit();
        if (exit.isPresent()) {
            String log = broker.logSinceLastStart();
            System.out.println("CorruptSegmentTest: the broker refused to start (exit " + exit.get() + ")");
            assertThat(exit.get()).as("exit code of a broker refusing to start").isNotZero();
            assertThat(log).as("start-up error names the damaged file").contains(sealed.getFileName().toString());
            return;
        }

        // It started: consume everything without acking; the damaged message must fail the delivery loudly.
        Connection c2 = connect();
        Channel sub = c2.createChannel();
        // The consumer hears of the close after every delivery that arrived before it (same dispatch queue).
        CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
        BlockingQueue<Received> arrived = new LinkedBlockingQueue<>();
        sub.basicConsume(QUEUE, false, new DefaultConsumer(sub) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                arrived.add(new Received(seqOf(body), envelope.isRedeliver(), intact(body, BODY),
                        envelope.getDeliveryTag()));
            }

            @Override
            public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
                closed.complete(sig);
            }
        });
        ShutdownSignalException sse = closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        List<Received> received = new ArrayList<>();
        arrived.drainTo(received);

        System.out.println("CorruptSegmentTest: the broker started; damaged seq " + damagedSeq + "; "
                + received.size() + " deliveries, then " + (sse.isHardError() ? "connection" : "channel")
                + " close " + replyCode(sse) + " '" + replyText(sse) + "'");
        assertThat(sse.isInitiatedByApplication()).as("closed by the broker: %s", sse).isFalse();
        assertThat(replyCode(sse)).as("close reply code: %s", replyText(sse)).isEqualTo(INTERNAL_ERROR);
        assertThat(received).as("every delivered body is intact").allMatch(Received::intact);
        assertThat(seqs(received)).as("the messages before the damaged one, in order, and nothing else")
                .isEqualTo(range(1, damagedSeq - 1));
        assertThat(broker.logSinceLastStart()).as("broker log names the damaged file")
                .contains(sealed.getFileName().toString());

        // Nothing was dropped: the failed delivery and the unacked ones went back to the queue.
        Connection c3 = sse.isHardError() ? connect() : c2;
        assertThat(messageCount(c3, QUEUE)).as("messages still queued").isEqualTo(COUNT);
        // Asking for the damaged message with basic.get fails the same way.
        ShutdownSignalException getError = channelError(c3, other -> {
            for (long seq = 1; seq <= damagedSeq; seq++) {
                byte[] body = other.basicGet(QUEUE, false).getBody();
                assertThat(seqOf(body)).isEqualTo(seq);
                assertThat(intact(body, BODY)).as("body of message %d", seq).isTrue();
            }
        });
        assertThat(replyCode(getError)).as("basic.get of the damaged message: %s", replyText(getError))
                .isEqualTo(INTERNAL_ERROR);
    }

    /**
     * Flips bytes in the body of record {@code recordIndex} of a segment file ("FMQS", version, id, then
     * length/crc/payload frames). Returns the sequence number of the damaged message.
     */
    private static long damageRecord(Path segment, int recordIndex) throws Exception {
        try (FileChannel f = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long offset = 12;
            for (int i = 0; ; i++) {
                ByteBuffer header = ByteBuffer.allocate(8);
                readFully(f, header, offset);
                int length = header.flip().getInt();
                assertThat(length).as("record %d at offset %d of %s", i, offset, segment).isPositive();
                if (i == recordIndex) {
                    ByteBuffer payload = ByteBuffer.allocate(length);
                    readFully(f, payload, offset + 8);
                    byte[] body = MessageCodec.decode(payload.array()).body();
                    long seq = seqOf(body);
                    assertThat(intact(body, BODY)).isTrue();
                    long at = offset + 8 + length - BODY / 2; // well inside the body
                    ByteBuffer bytes = ByteBuffer.allocate(4);
                    readFully(f, bytes, at);
                    byte[] flipped = bytes.array();
                    for (int k = 0; k < flipped.length; k++) {
                        flipped[k] ^= (byte) 0xA5;
                    }
                    f.write(ByteBuffer.wrap(flipped), at);
                    f.force(true);
                    return seq;
                }
                offset += 8 + length;
            }
        }
    }

    private static void readFully(FileChannel f, ByteBuffer dst, long position) throws Exception {
        long p = position;
        while (dst.hasRemaining()) {
            int n = f.read(dst, p);
            if (n < 0) {
                throw new AssertionError("unexpected end of file at " + p);
            }
            p += n;
        }
    }
}
