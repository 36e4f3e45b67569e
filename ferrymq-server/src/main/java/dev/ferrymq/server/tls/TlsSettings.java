package dev.ferrymq.server.tls;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a TLS server finds its certificate and key and whom it trusts, for AMQPS and (later) HTTPS.
 *
 * @param certificate the server's certificate chain: a PEM file (then {@code privateKey} is its PKCS#8 PEM key)
 *     or a PKCS#12 file ({@code .p12}/{@code .pfx}, holding key and chain; then {@code privateKey} is null)
 * @param privateKey the PEM private key (PKCS#8) for a PEM certificate; null for PKCS#12
 * @param password password of the PKCS#12 file or of an encrypted PEM key; null if none
 * @param trustedCertificates CA certificates that client certificates must chain to (PEM or PKCS#12); null means
 *     client certificates are neither requested nor accepted
 * @param peerVerification whether clients must present a certificate
 */
public record TlsSettings(Path certificate, Path privateKey, String password, Path trustedCertificates,
                          PeerVerification peerVerification) {

    /** Client-certificate policy, RabbitMQ's {@code verify}/{@code fail_if_no_peer_cert}. */
    public enum PeerVerification {
        /** No client certificate requested. */
        NONE,
        /** Requested and verified when sent; a client without one may still log in with a password. */
        OPTIONAL,
        /** Required: the TLS handshake fails without a trusted client certificate. */
        REQUIRED
    }

    public TlsSettings {
        if (certificate == null) {
            throw new IllegalArgumentException("TLS needs a certificate file");
        }
        if (!isPkcs12(certificate) && privateKey == null) {
            throw new IllegalArgumentException("a PEM certificate needs its private key file");
        }
        if (peerVerification == null) {
            peerVerification = trustedCertificates == null ? PeerVerification.NONE : PeerVerification.OPTIONAL;
        }
        if (peerVerification != PeerVerification.NONE && trustedCertificates == null) {
            throw new IllegalArgumentException("verifying client certificates needs trusted CA certificates");
        }
    }

    /** A PEM certificate and key, no client certificates. */
    public static TlsSettings pem(Path certificate, Path privateKey) {
        return new TlsSettings(certificate, privateKey, null, null, PeerVerification.NONE);
    }

    public TlsSettings withTrustedCertificates(Path caCertificates, PeerVerification verification) {
        return new TlsSettings(certificate, privateKey, password, caCertificates, verification);
    }

    static boolean isPkcs12(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".p12") || name.endsWith(".pfx");
    }
}
