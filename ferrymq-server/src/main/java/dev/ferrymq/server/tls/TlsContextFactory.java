package dev.ferrymq.server.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * Builds Netty server {@link SslContext}s from {@link TlsSettings}: JDK provider, TLS 1.3 and 1.2 only (as
 * RabbitMQ recommends), client certificates per {@link TlsSettings.PeerVerification}. Reusable by any Netty
 * listener (AMQPS now, the management HTTPS listener later). Stateless and thread-safe.
 */
public final class TlsContextFactory {
    /** The only protocol versions offered; SSLv3, TLS 1.0 and 1.1 are refused. */
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private TlsContextFactory() {
    }

    public static SslContext serverContext(TlsSettings settings) throws IOException {
        try {
            SslContextBuilder builder = TlsSettings.isPkcs12(settings.certificate())
                    ? SslContextBuilder.forServer(keyManagers(settings))
                    : SslContextBuilder.forServer(settings.certificate().toFile(), settings.privateKey().toFile(),
                            settings.password());
            builder.sslProvider(SslProvider.JDK).protocols(PROTOCOLS);
            if (settings.trustedCertificates() != null) {
                builder.trustManager(trustManagers(settings.trustedCertificates(), settings.password()));
            }
            builder.clientAuth(switch (settings.peerVerification()) {
                case NONE -> ClientAuth.NONE;
                case OPTIONAL -> ClientAuth.OPTIONAL;
                case REQUIRED -> ClientAuth.REQUIRE;
            });
            return builder.build();
        } catch (SSLException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("cannot set up TLS from " + settings.certificate() + ": " + e.getMessage(), e);
        }
    }

    private static KeyManagerFactory keyManagers(TlsSettings settings) throws IOException, GeneralSecurityException {
        char[] password = settings.password() == null ? new char[0] : settings.password().toCharArray();
        KeyStore store = loadPkcs12(settings.certificate(), password);
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, password);
        return factory;
    }

    private static TrustManagerFactory trustManagers(Path file, String password)
            throws IOException, GeneralSecurityException {
        KeyStore store;
        if (TlsSettings.isPkcs12(file)) {
            store = loadPkcs12(file, password == null ? new char[0] : password.toCharArray());
        } else {
            store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            Collection<? extends Certificate> certificates;
            try (InputStream in = Files.newInputStream(file)) {
                certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (certificates.isEmpty()) {
                throw new GeneralSecurityException("no certificate in " + file);
            }
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory;
    }

    private static KeyStore loadPkcs12(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        }
        return store;
    }
}
