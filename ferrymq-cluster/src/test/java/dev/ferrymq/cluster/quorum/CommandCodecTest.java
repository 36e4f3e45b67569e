package dev.ferrymq.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandCodecTest {
    private static final ConsumerId CONSUMER = new ConsumerId("rabbit@n2", 12, 3, "amq.ctag-é");

    private static final List<QueueCommand> EVERY_COMMAND_WITHOUT_ARRAYS = List.of(
            new QueueCommand.Configure(new QueueConfig(5, 10, 1 << 20, Overflow.REJECT_PUBLISH, 60_000, true)),
            new QueueCommand.Checkout(CONSUMER, 250, -3, true),
            new QueueCommand.Dequeue(CONSUMER, true),
            new QueueCommand.Cancel(CONSUMER),
            new QueueCommand.Settle(CONSUMER, List.of(1L, 2L, Long.MAX_VALUE)),
            new QueueCommand.Return(CONSUMER, List.of(7L)),
            new QueueCommand.Discard(CONSUMER, List.of()),
            new QueueCommand.Purge(),
            new QueueCommand.Credit(CONSUMER, 0),
            new QueueCommand.ConsumerDown(CONSUMER),
            new QueueCommand.NodeDown("rabbit@n3"),
            new QueueCommand.Tick(),
            new QueueCommand.Delete());

    @Test
    void everyCommandSurvivesARoundTrip() throws IOException {
        for (QueueCommand command : EVERY_COMMAND_WITHOUT_ARRAYS) {
            assertThat(CommandCodec.decode(CommandCodec.encode(command))).isEqualTo(command);
        }
    }

    @Test
    void declareKeepsTheQueuesIdentityArgumentsAndConfig() throws IOException {
        QueueConfig config = new QueueConfig(3, -1, -1, Overflow.DROP_HEAD, -1, false);
        byte[] arguments = {9, 8, 7};

        QueueCommand.Declare decoded = (QueueCommand.Declare) CommandCodec.decode(
                CommandCodec.encode(new QueueCommand.Declare("vh", "orders", arguments, config)));

        assertThat(decoded.vhost()).isEqualTo("vh");
        assertThat(decoded.name()).isEqualTo("orders");
        assertThat(decoded.arguments()).containsExactly(arguments);
        assertThat(decoded.config()).isEqualTo(config);
    }

    @Test
    void enqueueKeepsItsContentAndFields() throws IOException {
        PublisherId publisher = new PublisherId("n1", 4, 2);
        byte[] content = {0, 1, 2, (byte) 0xff};

        QueueCommand.Enqueue decoded = (QueueCommand.Enqueue) CommandCodec.decode(
                CommandCodec.encode(new QueueCommand.Enqueue(publisher, 9, 7, 1500, content)));

        assertThat(decoded.publisher()).isEqualTo(publisher);
        assertThat(decoded.seq()).isEqualTo(9);
        assertThat(decoded.priority()).isEqualTo(7);
        assertThat(decoded.expiration()).isEqualTo(1500);
        assertThat(decoded.content()).containsExactly(content);
    }

    @Test
    void logEntryCarriesTheLeaderTimestampInFrontOfTheCommand() throws IOException {
        byte[] command = CommandCodec.encode(new QueueCommand.Tick());

        LogEntry entry = CommandCodec.decodeEntry(CommandCodec.encodeEntry(123_456_789L, command));

        assertThat(entry).isEqualTo(new LogEntry(123_456_789L, new QueueCommand.Tick()));
    }

    @Test
    void unknownVersionTypeAndTruncationAreErrorsNotGarbage() {
        byte[] good = CommandCodec.encode(new QueueCommand.Cancel(CONSUMER));
        byte[] newerVersion = good.clone();
        newerVersion[0] = 2;
        byte[] unknownType = good.clone();
        unknownType[1] = 99;

        assertThatThrownBy(() -> CommandCodec.decode(newerVersion)).hasMessageContaining("version 2");
        assertThatThrownBy(() -> CommandCodec.decode(unknownType)).hasMessageContaining("type 99");
        assertThatThrownBy(() -> CommandCodec.decode(Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> CommandCodec.encodeEntry(1, unknownType)).isInstanceOf(IOException.class);
    }

    @Test
    void aHugeLengthIsRefusedBeforeAllocating() {
        byte[] settle = CommandCodec.encode(new QueueCommand.Settle(CONSUMER, List.of(1L)));
        // The id count is the int just before the last 8 bytes.
        int countAt = settle.length - 12;
        settle[countAt] = 0x7f;

        assertThatThrownBy(() -> CommandCodec.decode(settle)).hasMessageContaining("exceeds");
    }

    @Test
    void replySurvivesARoundTrip() throws IOException {
        Reply reply = new Reply(Reply.Code.REJECTED, 42);
        assertThat(Reply.decode(reply.encode())).isEqualTo(reply);
    }

    @Test
    void aBatchKeepsItsCommandsInOrderAndMatchesJoiningThemEncoded() throws IOException {
        QueueCommand.Batch batch = new QueueCommand.Batch(List.of(new QueueCommand.Cancel(CONSUMER),
                new QueueCommand.Tick(), new QueueCommand.Settle(CONSUMER, List.of(3L))));

        byte[] encoded = CommandCodec.encode(batch);

        assertThat(CommandCodec.decode(encoded)).isEqualTo(batch);
        assertThat(CommandCodec.encodeBatch(batch.commands().stream().map(CommandCodec::encode).toList()))
                .containsExactly(encoded);
    }

    @Test
    void batchesDoNotNest() {
        QueueCommand.Batch inner = new QueueCommand.Batch(List.of(new QueueCommand.Tick()));
        byte[] nested = CommandCodec.encodeBatch(List.of(CommandCodec.encode(inner)));

        assertThatThrownBy(() -> CommandCodec.decode(nested)).hasMessageContaining("batch inside a batch");
        assertThatThrownBy(() -> new QueueCommand.Batch(List.of(inner))).hasMessageContaining("nest");
        assertThatThrownBy(() -> CommandCodec.decode(CommandCodec.encodeBatch(List.of())))
                .hasMessageContaining("a batch of 0");
    }

    @Test
    void batchRepliesSurviveARoundTripInOrder() throws IOException {
        List<Reply> replies = List.of(new Reply(Reply.Code.OK, 5), new Reply(Reply.Code.REJECTED, 0),
                new Reply(Reply.Code.DUPLICATE, 0));
        assertThat(Reply.decodeAll(Reply.encodeAll(replies))).isEqualTo(replies);
    }
}
