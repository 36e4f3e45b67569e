package dev.ferrymq.cluster.remote;

import dev.ferrymq.broker.Broker;
import dev.ferrymq.broker.Exchange;
import dev.ferrymq.broker.VirtualHost;
import dev.ferrymq.broker.cluster.NodeEndpoints;
import dev.ferrymq.broker.metadata.MetadataAnswer;
import dev.ferrymq.broker.metadata.MetadataCommand;
import dev.ferrymq.broker.metadata.MetadataCommandCodec;
import dev.ferrymq.broker.routing.Binding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The proxies this node has of classic queues homed elsewhere, their bindings, and the other nodes' endpoints
 * (how to reach those queues), kept in {@code <data-dir>/cluster/remote-queues} so that they come back when this
 * node restarts: the node's own definitions hold only its own queues and none of this, and the metadata log is
 * not replayed for what the node had applied.
 * Rewritten (temporary file, then rename) after every applied metadata change that may concern them.
 *
 * <pre>
 *   int   command count
 *   ...   MetadataCommandCodec records: SetNodeEndpoint for each node, DeclareQueue for each proxy, then BindQueue
 *         for each binding to one
 * </pre>
 * Thread-safe: writes are serialised on this object.
 */
final class ProxyFile {
    private static final Logger log = LoggerFactory.getLogger(ProxyFile.class);
    static final String FILE = "remote-queues";

    private final Path file;

    ProxyFile(Path storageDir) {
        this.file = storageDir.resolve(FILE);
    }

    /** Declares the proxies (and binds them) as they were when the node stopped; on the node's start-up. */
    void restore(Broker broker) {
        if (!Files.exists(file)) {
            return;
        }
        try (InputStream stream = Files.newInputStream(file); DataInputStream in = new DataInputStream(stream)) {
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                // a binding to an exchange that did not survive the restart (not durable) is refused: skipped
                MetadataAnswer.of(MetadataCommandCodec.read(in), broker::applyReplicated);
            }
            log.info("restored {} node endpoints, remote queue declarations and bindings", count);
        } catch (IOException e) {
            log.warn("cannot read {}: the proxies of queues homed on other nodes come back with their next change",
                    file, e);
        }
    }

    synchronized void save(Broker broker) {
        List<MetadataCommand> commands = capture(broker);
        Path temporary = file.resolveSibling(FILE + ".tmp");
        try (OutputStream stream = Files.newOutputStream(temporary); DataOutputStream out = new DataOutputStream(stream)) {
            out.writeInt(commands.size());
            for (MetadataCommand command : commands) {
                MetadataCommandCodec.write(out, command);
            }
        } catch (IOException e) {
            log.warn("cannot write {}", temporary, e);
            return;
        }
        try {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.warn("cannot replace {}", file, e);
        }
    }

    private static List<MetadataCommand> capture(Broker broker) {
        List<MetadataCommand> commands = new ArrayList<>();
        for (NodeEndpoints.Endpoint e : broker.nodeEndpoints().all()) {
            commands.add(new MetadataCommand.SetNodeEndpoint(e.node(), e.host(), e.port(), e.secret(),
                    e.incarnation()));
        }
        List<MetadataCommand> bindings = new ArrayList<>();
        for (VirtualHost vhost : broker.virtualHosts()) {
            for (var queue : vhost.queues()) {
                if (queue instanceof RemoteQueue proxy) {
                    commands.add(new MetadataCommand.DeclareQueue(vhost.name(), proxy.name(), proxy.durable(),
                            proxy.autoDelete(), proxy.arguments(), proxy.homeNode()));
                }
            }
            for (Exchange source : vhost.exchanges()) {
                for (Binding binding : source.router().bindings()) {
                    if (binding.destination() instanceof RemoteQueue proxy) {
                        bindings.add(new MetadataCommand.BindQueue(true, vhost.name(), proxy.name(), source.name(),
                                binding.routingKey(), binding.arguments()));
                    }
                }
            }
        }
        commands.addAll(bindings);
        return commands;
    }
}
