package dev.ferrymq.server.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private network for N nodes on this machine, so that pairs of nodes can be cut apart: each node runs in a
 * Linux network namespace of its own, with one address ({@code 10.231.T.i}) on a veth link to every other node
 * and one to the harness (the root namespace, {@code 10.231.T.254}). Nothing is routed off the machine.
 *
 * <pre>
 *   root ns (harness: clients, management API) ── veth ── ns n1 ── veth ── ns n2
 *        │                                                   └──── veth ────┐ │
 *        └──────────────── veth ── ns n3 ───────────────── veth ────────────┘─┘
 * </pre>
 *
 * <p>{@link #cut(int, int)} replaces the route to the other node with a blackhole route on both sides, so every
 * packet between the two nodes is dropped (Raft traffic in both directions, whoever opened the connection), while
 * both stay reachable from the harness, as Jepsen keeps its clients' links up. Loopback addresses cannot do this:
 * a connection to 127.0.0.2 leaves from 127.0.0.1 (the kernel's source address for all of 127/8), so the source of
 * a packet does not say which node sent it.
 *
 * <p>Needs root, {@code ip} (iproute2) and {@code curl}; {@link #create} says why not otherwise, and the harness
 * then runs the nodes on 127.0.0.1 without partitions. Not thread-safe: driven by the nemesis thread.
 */
final class NodeNetwork implements AutoCloseable {
    private static final String HOST_ADDRESS_LAST = "254";
    /** A namespace of this harness: {@code fm<pid of the harness>n<node>}. */
    private static final Pattern STALE = Pattern.compile("^((?:fm)(\\d+)n\\d+)", Pattern.MULTILINE);

    private final String tag;
    private final String prefix;
    private final int nodes;
    private final List<String> namespaces = new ArrayList<>();

    private NodeNetwork(int nodes) {
        long pid = ProcessHandle.current().pid();
        this.tag = "fm" + pid; // at most 7 digits: interface names stay within 15 characters
        this.prefix = "10.231." + (pid % 250) + ".";
        this.nodes = nodes;
    }

    /** The network, or why it cannot be built here (not root, no {@code ip}, no namespaces). */
    static Result create(int nodes) {
        NodeNetwork network = new NodeNetwork(nodes);
        try {
            network.build();
            return new Result(Optional.of(network), "");
        } catch (IOException | RuntimeException e) {
            network.close();
            return new Result(Optional.empty(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            network.close();
            return new Result(Optional.empty(), "interrupted");
        }
    }

    record Result(Optional<NodeNetwork> network, String whyNot) { }

    /** Node {@code i}'s address (0-based), which it binds and the others know it by. */
    String address(int i) {
        return prefix + (i + 1);
    }

    /** The command prefix that runs a process in node {@code i}'s namespace ({@code ip netns exec} execs). */
    List<String> launchPrefix(int i) {
        return List.of("ip", "netns", "exec", namespace(i));
    }

    /**
     * Creates an administrator {@code user} (password the same) with every permission on {@code /}, through node
     * {@code i}'s management API, as {@code guest} from inside its namespace: {@code guest} may only connect from
     * loopback, and the harness reaches the nodes from another address. Users are replicated, so one node is
     * enough. Retries until the node has a metadata leader to commit to, at most {@code timeoutMillis}.
     */
    void createUser(int i, int managementPort, String user, long timeoutMillis) throws IOException,
            InterruptedException {
        String base = "http://" + address(i) + ":" + managementPort + "/api/";
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (true) {
            try {
                curl(i, "PUT", base + "users/" + user,
                        "{\"password\":\"" + user + "\",\"tags\":\"administrator\"}");
                curl(i, "PUT", base + "permissions/%2F/" + user,
                        "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    /** curl inside node {@code i}'s namespace from 127.0.0.1 (a loopback peer for the node), failing on HTTP errors. */
    private void curl(int i, String method, String url, String json) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(launchPrefix(i));
        command.addAll(List.of("curl", "-sS", "--fail", "--max-time", "20", "--interface", "127.0.0.1",
                "-u", "guest:guest", "-X", method, "-H", "content-type: application/json", "--data", json, url));
        run(command);
    }

    /** Drops every packet between nodes {@code a} and {@code b} (both directions). */
    void cut(int a, int b) throws IOException, InterruptedException {
        ip("-n", namespace(a), "route", "replace", "blackhole", address(b) + "/32");
        ip("-n", namespace(b), "route", "replace", "blackhole", address(a) + "/32");
    }

    /** Restores the link between nodes {@code a} and {@code b}. */
    void heal(int a, int b) throws IOException, InterruptedException {
        ip("-n", namespace(a), "route", "replace", address(b) + "/32", "dev", link(a, b));
        ip("-n", namespace(b), "route", "replace", address(a) + "/32", "dev", link(b, a));
    }

    void healAll() throws IOException, InterruptedException {
        for (int a = 0; a < nodes; a++) {
            for (int b = a + 1; b < nodes; b++) {
                heal(a, b);
            }
        }
    }

    private void build() throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IOException("not root (user " + System.getProperty("user.name") + ")");
        }
        run(List.of("curl", "--version")); // to create the harness's user (createUser)
        removeStale();
        for (int i = 0; i < nodes; i++) {
            ip("netns", "add", namespace(i));
            namespaces.add(namespace(i));
            ip("-n", namespace(i), "link", "set", "lo", "up");
            // the harness's link: root side h<i>, node side c<i>
            String hostSide = tag + "h" + i;
            ip("link", "add", hostSide, "type", "veth", "peer", "name", tag + "c" + i, "netns", namespace(i));
            ip("addr", "add", prefix + HOST_ADDRESS_LAST + "/32", "dev", hostSide);
            ip("link", "set", hostSide, "up");
            ip("route", "add", address(i) + "/32", "dev", hostSide);
            ip("-n", namespace(i), "addr", "add", address(i) + "/32", "dev", tag + "c" + i);
            ip("-n", namespace(i), "link", "set", tag + "c" + i, "up");
            ip("-n", namespace(i), "route", "add", prefix + HOST_ADDRESS_LAST + "/32", "dev", tag + "c" + i);
        }
        for (int a = 0; a < nodes; a++) {
            for (int b = a + 1; b < nodes; b++) {
                ip("link", "add", link(a, b), "netns", namespace(a), "type", "veth", "peer", "name", link(b, a),
                        "netns", namespace(b));
                for (int[] side : new int[][] {{a, b}, {b, a}}) {
                    String ns = namespace(side[0]);
                    ip("-n", ns, "addr", "add", address(side[0]) + "/32", "dev", link(side[0], side[1]));
                    ip("-n", ns, "link", "set", link(side[0], side[1]), "up");
                    ip("-n", ns, "route", "add", address(side[1]) + "/32", "dev", link(side[0], side[1]));
                }
            }
        }
    }

    /** Deletes the namespaces left by harness processes that died without closing their network. */
    private static void removeStale() throws IOException, InterruptedException {
        Process list = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
        String output = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        list.waitFor(10, TimeUnit.SECONDS);
        Matcher matcher = STALE.matcher(output);
        while (matcher.find()) {
            long owner = Long.parseLong(matcher.group(2));
            if (ProcessHandle.of(owner).isEmpty()) {
                ip("netns", "del", matcher.group(1));
            }
        }
    }

    private String namespace(int i) {
        return tag + "n" + (i + 1);
    }

    /** Node {@code a}'s end of its link to node {@code b} (an interface name: at most 15 characters). */
    private String link(int a, int b) {
        return tag + "l" + a + b;
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        run(command);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish");
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + ": " + new String(output, StandardCharsets.UTF_8).trim());
        }
    }

    /** Deletes the namespaces (their veth links go with them, and so do the harness's ends). */
    @Override
    public void close() {
        for (String namespace : namespaces) {
            try {
                ip("netns", "del", namespace);
            } catch (IOException e) {
                System.err.println("[faults] could not delete network namespace " + namespace + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        namespaces.clear();
    }
}
