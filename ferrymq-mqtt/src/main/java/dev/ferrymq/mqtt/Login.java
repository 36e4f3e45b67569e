package dev.ferrymq.mqtt;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.Users;
import dev.ferrymq.broker.VirtualHost;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static io.netty.handler.codec.mqtt.MqttConnectReturnCode.*;

/**
 * Checks a CONNECT: client id, user name and password against the broker's users, the vhost ({@code vhost:user}
 * in the user name, else {@code mqtt-vhost}) and the user's permission to use it, as RabbitMQ's MQTT plugin does.
 * Stateless; runs on the connection's event loop.
 */
final class Login {

    /** Either a session or the CONNACK code that refuses it, with the reason for the log. */
    record Outcome(Session session, MqttConnectReturnCode refusal, String reason) {
        static Outcome refused(MqttConnectReturnCode code, String reason) {
            return new Outcome(null, code, reason);
        }
    }

    private Login() {
    }

    static Outcome check(MqttServices services, MqttConnectMessage connect, SocketAddress peer) {
        MqttConnectVariableHeader header = connect.variableHeader();
        MqttConnectPayload payload = connect.payload();
        boolean mqtt5 = header.version() == Session.MQTT_5;
        String clientId = payload.clientIdentifier() == null ? "" : payload.clientIdentifier();
        boolean assigned = false;
        if (clientId.isEmpty()) {
            if (!header.isCleanSession() && !mqtt5) { // MQTT 3.1.1 §3.1.3.1
                return Outcome.refused(CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                        "an empty client id needs a clean session");
            }
            clientId = "ferrymq-" + UUID.randomUUID();
            assigned = true;
        }
        String userName = header.hasUserName() ? payload.userName() : null;
        String password = header.hasPassword() ? new String(payload.passwordInBytes(), StandardCharsets.UTF_8)
                : null;
        String vhostName = services.settings().vhost();
        Broker broker = services.broker();
        Users.User user;
        if (userName == null) {
            if (!services.settings().allowAnonymous()) {
                return Outcome.refused(mqtt5 ? CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                        : CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD, "no user name, and anonymous logins are off");
            }
            user = broker.users().user(Broker.DEFAULT_USER);
        } else {
            int colon = userName.indexOf(':');
            if (colon > 0) {
                vhostName = userName.substring(0, colon);
                userName = userName.substring(colon + 1);
            }
            user = broker.users().authenticate(userName, password);
        }
        if (user == null) {
            return Outcome.refused(mqtt5 ? CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                    : CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD, "bad user name or password for '" + userName + "'");
        }
        MqttConnectReturnCode notAuthorized = mqtt5 ? CONNECTION_REFUSED_NOT_AUTHORIZED_5
                : CONNECTION_REFUSED_NOT_AUTHORIZED;
        if (user.loopbackOnly() && !isLoopback(peer)) {
            return Outcome.refused(notAuthorized, "user '" + user.name() + "' can only connect via localhost");
        }
        VirtualHost vhost = broker.virtualHost(vhostName);
        if (vhost == null) { // RabbitMQ's MQTT plugin answers as for bad credentials
            return Outcome.refused(mqtt5 ? CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                    : CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD, "no vhost '" + vhostName + "'");
        }
        if (broker.permissions().get(user.name(), vhostName) == null) {
            return Outcome.refused(notAuthorized, "user '" + user.name() + "' has no access to vhost '" + vhostName
                    + "'");
        }
        MqttProperties properties = header.properties();
        long expiry = mqtt5 ? MessageMapping.sessionExpiry(properties) : header.isCleanSession() ? 0 : -1;
        int receiveMaximum = mqtt5 ? MessageMapping.integer(properties, MqttProperties.RECEIVE_MAXIMUM, 65535)
                : 65535;
        return new Outcome(new Session(header.version(), clientId, assigned, user.name(), vhost,
                header.isCleanSession(), expiry, header.keepAliveTimeSeconds(), receiveMaximum), null, null);
    }

    private static boolean isLoopback(SocketAddress peer) {
        return peer instanceof InetSocketAddress address && address.getAddress() != null
                && address.getAddress().isLoopbackAddress();
    }
}
