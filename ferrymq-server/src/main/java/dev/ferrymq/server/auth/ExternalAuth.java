package dev.ferrymq.server.auth;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

/**
 * SASL EXTERNAL: the user is named by the common name (CN) of the client certificate verified in the TLS
 * handshake (RabbitMQ's {@code ssl_cert_login_from = common_name}). Stateless.
 */
public final class ExternalAuth {
    private ExternalAuth() {
    }

    /** The CN of the connection's verified client certificate, or null (no TLS, no certificate, no CN). */
    public static String peerCertificateUser(ChannelHandlerContext ctx) {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls == null) {
            return null;
        }
        try {
            Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate certificate)) {
                return null;
            }
            return commonName(certificate.getSubjectX500Principal().getName());
        } catch (SSLPeerUnverifiedException noCertificate) {
            return null;
        }
    }

    static String commonName(String distinguishedName) {
        try {
            for (Rdn rdn : new LdapName(distinguishedName).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }
}
