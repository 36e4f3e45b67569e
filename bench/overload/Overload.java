import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Overload probe, run by bench/overload.sh against a running broker:
 * opens CONNECTIONS connections (one channel each) and declares QUEUES queues spread over them, publishes one
 * confirmed message to every queue and gets it back, and reports the broker's memory (live heap after a full GC
 * via jcmd, and RSS) at each step, so memory per connection and per queue can be read off.
 *
 * Usage: java -cp 'bench/target/lib/*' bench/overload/Overload.java PORT BROKER_PID CONNECTIONS QUEUES
 */
public class Overload {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long pid = Long.parseLong(args[1]);
        int connectionCount = Integer.parseInt(args[2]);
        int queueCount = Integer.parseInt(args[3]);

        Memory base = Memory.of(pid);
        System.out.printf("baseline: %s%n", base);

        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(port);
        factory.setAutomaticRecoveryEnabled(false);
        factory.setRequestedHeartbeat(60);
        // The Java client's default NIO-less mode uses one thread per connection; a shared executor keeps
        // the load generator small enough to live next to the broker on 2 cores.
        ExecutorService shared = Executors.newFixedThreadPool(8);
        factory.setSharedExecutor(shared);
        List<Connection> connections = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < connectionCount; i++) {
            Connection c = factory.newConnection("overload-" + i);
            connections.add(c);
            channels.add(c.createChannel());
        }
        System.out.printf("opened %d connections in %d ms%n", connectionCount, (System.nanoTime() - start) / 1_000_000);
        Memory withConnections = Memory.of(pid);
        System.out.printf("with connections: %s%n", withConnections);

        start = System.nanoTime();
        for (int q = 0; q < queueCount; q++) {
            channels.get(q % channels.size()).queueDeclare("overload.q." + q, false, false, false, null);
        }
        System.out.printf("declared %d queues in %d ms%n", queueCount, (System.nanoTime() - start) / 1_000_000);
        Memory withQueues = Memory.of(pid);
        System.out.printf("with queues: %s%n", withQueues);

        // every connection works concurrently: publish (confirmed) and get back its share of queues
        ExecutorService workers = Executors.newFixedThreadPool(16);
        List<Future<Integer>> results = new ArrayList<>();
        start = System.nanoTime();
        for (int i = 0; i < channels.size(); i++) {
            int index = i;
            results.add(workers.submit(() -> roundTrip(channels.get(index), index, channels.size(), queueCount)));
        }
        int verified = 0;
        for (Future<Integer> r : results) {
            verified += r.get();
        }
        workers.shutdown();
        System.out.printf("published and got back %d messages in %d ms%n", verified,
                (System.nanoTime() - start) / 1_000_000);

        for (int q = 0; q < queueCount; q++) {
            channels.get(q % channels.size()).queueDelete("overload.q." + q);
        }
        for (Connection c : connections) {
            c.close();
        }
        shared.shutdown();

        double perConnectionHeap = (withConnections.liveHeap - base.liveHeap) / (double) connectionCount;
        double perConnectionRss = (withConnections.rss - base.rss) / (double) connectionCount;
        double perQueueHeap = (withQueues.liveHeap - withConnections.liveHeap) / (double) queueCount;
        double perQueueRss = (withQueues.rss - withConnections.rss) / (double) queueCount;
        System.out.printf("RESULT connections=%d queues=%d errors=%d%n", connectionCount, queueCount,
                queueCount - verified);
        System.out.printf("RESULT per connection: %.1f KiB live heap, %.1f KiB RSS%n", perConnectionHeap / 1024,
                perConnectionRss / 1024);
        System.out.printf("RESULT per queue: %.2f KiB live heap, %.2f KiB RSS%n", perQueueHeap / 1024,
                perQueueRss / 1024);
        if (verified != queueCount) {
            System.exit(1);
        }
    }

    private static int roundTrip(Channel ch, int index, int stride, int queueCount) throws Exception {
        ch.confirmSelect();
        int ok = 0;
        for (int q = index; q < queueCount; q += stride) {
            ch.basicPublish("", "overload.q." + q, null, ("m" + q).getBytes(StandardCharsets.UTF_8));
        }
        ch.waitForConfirmsOrDie(60_000);
        for (int q = index; q < queueCount; q += stride) {
            GetResponse r = ch.basicGet("overload.q." + q, true);
            if (r != null && new String(r.getBody(), StandardCharsets.UTF_8).equals("m" + q)) {
                ok++;
            }
        }
        return ok;
    }

    /** Broker memory: live heap after a full GC (jcmd) and resident set size (/proc). */
    record Memory(long liveHeap, long rss) {
        private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

        static Memory of(long pid) throws Exception {
            run("jcmd", Long.toString(pid), "GC.run");
            Thread.sleep(500);
            String info = run("jcmd", Long.toString(pid), "GC.heap_info");
            Matcher m = HEAP_USED.matcher(info);
            long heap = m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
            long rss = -1;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
            return new Memory(heap, rss);
        }

        private static String run(String... command) throws Exception {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out;
        }

        @Override
        public String toString() {
            return String.format("live heap %.1f MiB, RSS %.1f MiB", liveHeap / 1048576.0, rss / 1048576.0);
        }
    }
}
