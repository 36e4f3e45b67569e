package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultSaslConfig;
import dev.ferrymq.server.FerryServer;
import dev.ferrymq.server.config.ServerConfig;
import dev.ferrymq.server.config.Settings;
import dev.ferrymq.server.tls.TlsContextFactory;
import dev.ferrymq.server.tls.TlsSettings;
import dev.ferrymq.server.tls.TlsSettings.PeerVerification;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * AMQPS with certificates made at test time: the Java client over TLS 1.3 and 1.2, PEM and PKCS#12 server files,
 * client certificates with SASL EXTERNAL (user = certificate CN), and the plain port still open alongside.
 */
class TlsTest extends AbstractBrokerIT {
    private Path dir;
    private TestCertificates certificates;
    private TlsSettings settings;

    @Override
    protected ServerConfig configure(ServerConfig defaults) {
        try {
            dir = Files.createTempDirectory("ferrymq-tls-");
            certificates = TestCertificates.newCa("FerryMQ test CA");
            TestCertificates.Identity server = certificates.server();
            Path cert = TestCertificates.writeCertificatePem(dir.resolve("server.pem"), server.chain());
            Path key = TestCertificates.writeKeyPem(dir.resolve("server.key"), server.key());
            Path ca = TestCertificates.writeCertificatePem(dir.resolve("ca.pem"), certificates.ca().certificate());
            settings = TlsSettings.pem(cert, key).withTrustedCertificates(ca, PeerVerification.OPTIONAL);
            return defaults.with(Settings.AMQPS_PORT, 0).withTls(settings).with(Settings.MANAGEMENT_TLS, true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    void deleteCertificates() throws IOException {
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private ConnectionFactory tlsFactory(SSLContext context) {
        ConnectionFactory factory = factory();
        factory.setPort(broker.server().amqpsPort());
        factory.useSslProtocol(context);
        return factory;
    }

    @Test
    void javaClientPublishesAndConsumesOverTls13And12() throws Exception {
        assumeFalse(broker.isExternal());
        for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
            Connection c = track(tlsFactory(certificates.clientContext(null, protocol)).newConnection());
            Channel ch = c.createChannel();
            String q = declareQueue(ch);
            publishConfirmed(ch, "", q, "over " + protocol);
            assertThat(getText(ch, q)).isEqualTo("over " + protocol);
        }
        connect().createChannel(); // the plain port still works
    }

    @Test
    void serverOffersOnlyTls12And13() throws Exception {
        SSLEngine engine = TlsContextFactory.serverContext(settings).newEngine(ByteBufAllocator.DEFAULT);
        assertThat(engine.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
        // and a client that only speaks TLS 1.1 does not get through
        SSLContext context = certificates.clientContext(null, "TLS");
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(broker.host(),
                broker.server().amqpsPort())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.1"});
            socket.setSoTimeout(5_000);
            assertThatThrownBy(socket::startHandshake).isInstanceOf(IOException.class);
        } catch (IllegalArgumentException tls11UnsupportedByThisJdk) {
            // the client cannot even offer TLS 1.1: nothing more to check
        }
    }

    @Test
    void clientCertificateLogsInWithSaslExternal() throws Exception {
        assumeFalse(broker.isExternal());
        ConnectionFactory factory = tlsFactory(certificates.clientContext(
                certificates.client(BrokerUnderTest.USER), "TLSv1.3"));
        factory.setSaslConfig(DefaultSaslConfig.EXTERNAL);
        factory.setPassword("not used by EXTERNAL");
        Connection c = track(factory.newConnection());
        Channel ch = c.createChannel();
        String q = declareQueue(ch);
        publishConfirmed(ch, "", q, "authenticated by certificate");
        assertThat(getText(ch, q)).isEqualTo("authenticated by certificate");
    }

    @Test
    void certificateOfAnUnknownUserIsRefused() throws Exception {
        assumeFalse(broker.isExternal());
        ConnectionFactory factory = tlsFactory(certificates.clientContext(certificates.client("mallory"),
                "TLSv1.3"));
        factory.setSaslConfig(DefaultSaslConfig.EXTERNAL);
        assertThatThrownBy(factory::newConnection).isInstanceOf(IOException.class)
                .hasStackTraceContaining("ACCESS_REFUSED");
    }

    @Test
    void externalIsNotOfferedWithoutAClientCertificate() throws Exception {
        assumeFalse(broker.isExternal());
        ConnectionFactory factory = tlsFactory(certificates.clientContext(null, "TLSv1.3"));
        factory.setSaslConfig(DefaultSaslConfig.EXTERNAL);
        assertThatThrownBy(factory::newConnection).isInstanceOf(IOException.class)
                .hasMessageContaining("server offered [PLAIN AMQPLAIN]");
    }

    @Test
    void socketThatNeverStartsTlsIsClosedByTheHandshakeTimeout() throws Exception {
        Path data = Files.createTempDirectory(dir, "data-");
        try (FerryServer server = FerryServer.start(ServerConfig.defaults().with(Settings.BIND, "127.0.0.1")
                .with(Settings.AMQP_PORT, 0)
                .with(Settings.AMQPS_PORT, 0).with(Settings.DATA_DIR, data).withTls(settings)
                .with(Settings.HANDSHAKE_TIMEOUT, 1));
             RawAmqpClient silent = RawAmqpClient.connect("127.0.0.1", server.amqpsPort(), Duration.ofSeconds(5))) {
            long start = System.nanoTime();
            assertThat(silent.readsEof()).as("closed before the read timeout").isTrue();
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(800L, 4_000L);
        }
    }

    @Test
    void pkcs12ServerFileWithRequiredClientCertificates() throws Exception {
        Path p12 = TestCertificates.writePkcs12(dir.resolve("server.p12"), certificates.server());
        Path ca = TestCertificates.writeCertificatePem(dir.resolve("ca-only.pem"), certificates.ca().certificate());
        Path data = Files.createTempDirectory(dir, "data-");
        TlsSettings pkcs12 = new TlsSettings(p12, null, TestCertificates.PASSWORD, ca, PeerVerification.REQUIRED);
        try (FerryServer server = FerryServer.start(ServerConfig.defaults().with(Settings.BIND, "127.0.0.1")
                .with(Settings.AMQP_PORT, 0)
                .with(Settings.AMQPS_PORT, 0).with(Settings.DATA_DIR, data).withTls(pkcs12))) {
            ConnectionFactory factory = factory();
            factory.setPort(server.amqpsPort());
            factory.useSslProtocol(certificates.clientContext(certificates.client("guest"), "TLSv1.3"));
            try (Connection c = factory.newConnection()) {
                assertThat(c.createChannel().queueDeclare().getQueue()).startsWith("amq.gen-");
            }
            ConnectionFactory anonymous = factory();
            anonymous.setPort(server.amqpsPort());
            anonymous.useSslProtocol(certificates.clientContext(null, "TLSv1.2"));
            assertThatThrownBy(anonymous::newConnection).as("no client certificate, no connection")
                    .isInstanceOf(Exception.class);
        }
    }

    @Test
    void managementApiIsServedOverHttps() throws Exception {
        assumeFalse(broker.isExternal());
        java.net.http.HttpClient https = java.net.http.HttpClient.newBuilder()
                .sslContext(certificates.clientContext(null, "TLSv1.3")).build();
        java.net.http.HttpResponse<String> response = https.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("https://localhost:" + broker.server().managementPort() + "/api/whoami"))
                .header("authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        "guest:guest".getBytes(java.nio.charset.StandardCharsets.UTF_8))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"name\":\"guest\"");
        java.net.http.HttpClient plain = java.net.http.HttpClient.newHttpClient();
        assertThatThrownBy(() -> plain.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        "http://localhost:" + broker.server().managementPort() + "/api/whoami")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }
}
