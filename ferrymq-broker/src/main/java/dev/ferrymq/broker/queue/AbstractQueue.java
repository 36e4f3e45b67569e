package dev.ferrymq.broker.queue;

import dev.ferrymq.broker.MessageCounters;
import dev.ferrymq.broker.VirtualHost;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every queue type shares: its declaration, its settings (arguments merged with the policies in force) and
 * its message counters. {@code settings} and {@code policies} are volatile: a subclass swaps them with
 * {@link #usePolicies} under its own lock, and they may be read without it.
 */
public abstract class AbstractQueue implements Queue {
    protected final QueueHost host;
    protected final VirtualHost vhost;
    protected final String name;
    private final boolean durable;
    private final boolean exclusive;
    private final ExclusiveOwner owner;
    private final boolean autoDelete;
    private final Map<String, Object> arguments;
    /** The settings of the queue's own arguments, before policies. */
    private final QueueArguments declaredSettings;
    /** {@code declaredSettings} merged with {@code policies}. */
    protected volatile QueueArguments settings;
    private volatile QueuePolicies policies;
    private final MessageCounters counters = new MessageCounters();

    /** Parses the arguments (406 when invalid) and applies the policies in force. */
    protected AbstractQueue(QueueHost host, QueueDeclaration declaration) {
        this(host, declaration, null);
    }

    /**
     * With {@code ownSettings} a queue type that checked its own arguments passes (null: parse them as
     * classic-queue arguments).
     */
    protected AbstractQueue(QueueHost host, QueueDeclaration declaration, QueueArguments ownSettings) {
        this.host = host;
        this.vhost = host.vhost();
        this.name = declaration.name();
        this.durable = declaration.durable();
        this.exclusive = declaration.exclusive();
        this.owner = declaration.owner();
        this.autoDelete = declaration.autoDelete();
        this.arguments = declaration.arguments() == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(declaration.arguments()));
        this.declaredSettings = ownSettings != null ? ownSettings : QueueArguments.parse(arguments, toString());
        this.policies = QueuePolicies.lookUp(vhost.policies(), name);
        this.settings = policies.applyTo(declaredSettings, arguments);
    }

    /** Swaps in {@code applicable} and the settings it gives; call under the queue's lock. */
    protected final void usePolicies(QueuePolicies applicable) {
        policies = applicable;
        settings = applicable.applyTo(declaredSettings, arguments);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final VirtualHost vhost() {
        return vhost;
    }

    @Override
    public final boolean durable() {
        return durable;
    }

    @Override
    public final boolean exclusive() {
        return exclusive;
    }

    @Override
    public final ExclusiveOwner owner() {
        return owner;
    }

    @Override
    public final boolean autoDelete() {
        return autoDelete;
    }

    @Override
    public final Map<String, Object> arguments() {
        return arguments;
    }

    @Override
    public final QueueArguments settings() {
        return settings;
    }

    @Override
    public final QueuePolicies policies() {
        return policies;
    }

    @Override
    public final MessageCounters counters() {
        return counters;
    }

    @Override
    public String toString() {
        return "queue '" + name + "' in vhost '" + vhost.name() + "'";
    }
}
