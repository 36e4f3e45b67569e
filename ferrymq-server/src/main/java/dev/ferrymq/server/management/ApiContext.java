package dev.ferrymq.server.management;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.Permissions;
import dev.ferrymq.broker.Users;
import dev.ferrymq.broker.VirtualHost;

import java.util.ArrayList;
import java.util.List;

/**
 * What every API resource needs: the server (as {@link BrokerAdmin}), its broker, the message rates, and the
 * authorization rules of RabbitMQ's management plugin: any management tag may use the API and sees the vhosts it has
 * permissions on; monitoring (and administrator) users see every vhost, connection and channel; only administrators
 * change users, vhosts, permissions and definitions; changes inside a vhost need the same configure/write/read
 * permission as over AMQP. Thread-safe (holds only thread-safe collaborators).
 */
final class ApiContext {
    final BrokerAdmin admin;
    /** This node's name, as every {@code node} field shows it. */
    final String node;
    final Broker broker;
    final MessageRates rates;

    ApiContext(BrokerAdmin admin, MessageRates rates) {
        this.admin = admin;
        this.broker = admin.broker();
        this.node = admin.nodeName();
        this.rates = rates;
    }

    static void requireAdministrator(Users.User user) {
        if (!user.isAdministrator()) {
            throw ApiException.notAuthorised("Not administrator user");
        }
    }

    static void requireMonitoring(Users.User user) {
        if (!user.canMonitor()) {
            throw ApiException.notAuthorised("Not monitor user");
        }
    }

    /** Whether the user may see what is in the vhost. */
    boolean canSee(Users.User user, String vhost) {
        return user.canMonitor() || broker.permissions().get(user.name(), vhost) != null;
    }

    /** The vhosts the user may see, sorted by name. */
    List<VirtualHost> visibleVhosts(Users.User user) {
        List<VirtualHost> visible = new ArrayList<>();
        for (VirtualHost vhost : broker.virtualHosts()) {
            if (canSee(user, vhost.name())) {
                visible.add(vhost);
            }
        }
        return visible;
    }

    /** The named vhost if the user may see it; 404 if it does not exist, 401 if not permitted. */
    VirtualHost vhost(Users.User user, String name) {
        VirtualHost vhost = broker.virtualHost(name);
        if (vhost == null) {
            throw ApiException.notFound();
        }
        if (!canSee(user, name)) {
            throw ApiException.notAuthorised("User not authorised to access virtual host");
        }
        return vhost;
    }

    /** The vhosts of a listing: all visible ones, or just the one named (404/401 as for {@link #vhost}). */
    List<VirtualHost> vhosts(Users.User user, String nameOrNull) {
        return nameOrNull == null ? visibleVhosts(user) : List.of(vhost(user, nameOrNull));
    }

    /** AMQP-equivalent permission check for a change made through the API (401 when refused). */
    void check(Users.User user, String vhost, Permissions.Access access, String kind, String name) {
        try {
            broker.permissions().check(user.name(), vhost, access, kind, name);
        } catch (BrokerException e) {
            throw ApiException.notAuthorised(e.getMessage());
        }
    }
}
