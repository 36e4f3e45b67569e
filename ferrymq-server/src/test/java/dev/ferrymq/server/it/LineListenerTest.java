package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.ferrymq.server.FerryServer;
import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.config.Settings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The plain TCP line listener: lines in, messages out of the "inbox" queue, with the optional OK/ERR answers. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LineListenerTest {
    @TempDir
    Path dataDir;

    private FerryServer start(boolean ack) throws Exception {
        return FerryServer.start(ServerConfig.defaults().with(Settings.AMQP_PORT, 0)
                .with(Settings.MANAGEMENT_PORT, ServerConfig.DISABLED)
                .with(Settings.BIND, "127.0.0.1")
                .with(Settings.DATA_DIR, Files.createDirectories(dataDir.resolve(ack ? "ack" : "plain")))
                .with(Settings.LINE_PORT, 0).with(Settings.LINE_ACK, ack).with(Settings.MAX_MESSAGE_SIZE, 16L));
    }

    private static Channel channel(FerryServer server) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(server.amqpPort());
        Connection connection = factory.newConnection();
        return connection.createChannel();
    }

    @Test
    void eachLineBecomesAPersistentMessageInInbox() throws Exception {
        try (FerryServer server = start(false)) {
            try (Socket socket = new Socket("127.0.0.1", server.linePort())) {
                socket.getOutputStream().write("a\nb\r\n".getBytes(StandardCharsets.UTF_8));
            }
            Channel ch = channel(server);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (ch.queueDeclarePassive("inbox").getMessageCount() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            GetResponse first = ch.basicGet("inbox", true);
            assertThat(new String(first.getBody(), StandardCharsets.UTF_8)).isEqualTo("a");
            assertThat(first.getProps().getDeliveryMode()).isEqualTo(2);
            assertThat(new String(ch.basicGet("inbox", true).getBody(), StandardCharsets.UTF_8)).isEqualTo("b");
            ch.getConnection().close();
        }
    }

    @Test
    void ackModeAnswersOkPerLineAndErrForTooLongLinesWithoutDroppingTheConnection() throws Exception {
        try (FerryServer server = start(true);
             Socket socket = new Socket("127.0.0.1", server.linePort())) {
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            out.write("one\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("OK 1");
            out.write("this line is much longer than sixteen bytes\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).startsWith("ERR line longer than max message size 16");
            out.write("three\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("OK 3");
            Channel ch = channel(server);
            assertThat(ch.queueDeclarePassive("inbox").getMessageCount()).isEqualTo(2);
            ch.getConnection().close();
        }
    }

    /** What `printf 'a\nb\n' | nc host port` does: write, half-close, then read the answers to the end. */
    @Test
    void halfClosedClientStillGetsEveryAcknowledgement() throws Exception {
        try (FerryServer server = start(true);
             Socket socket = new Socket("127.0.0.1", server.linePort())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("a\nb\n".getBytes(StandardCharsets.UTF_8));
            socket.shutdownOutput();
            String answers = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answers).isEqualTo("OK 1\nOK 2\n");
        }
    }

    /** As RabbitMQ blocks publishing connections: nothing a line client sends is published during an alarm. */
    @Test
    void lineClientIsNotReadWhileAMemoryAlarmIsRaisedAndResumesAfter() throws Exception {
        try (FerryServer server = start(true);
             Socket socket = new Socket("127.0.0.1", server.linePort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            out.write("before\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("OK 1");

            server.alarms().setMemoryHighWatermark(1e-9); // a few bytes: always exceeded
            assertThat(server.alarms().isMemoryAlarm()).isTrue();
            out.write("during 1\nduring 2\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(300);
            Channel ch = channel(server);
            assertThat(ch.queueDeclarePassive("inbox").getMessageCount()).as("held back during the alarm")
                    .isEqualTo(1);
            assertThat(socket.getInputStream().available()).as("no answer during the alarm").isZero();

            server.alarms().setMemoryHighWatermark(0.6);
            assertThat(in.readLine()).isEqualTo("OK 2");
            assertThat(in.readLine()).isEqualTo("OK 3");
            assertThat(ch.queueDeclarePassive("inbox").getMessageCount()).isEqualTo(3);
            ch.getConnection().close();
        }
    }
}
