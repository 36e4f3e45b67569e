import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benches of the built-in plugins (issue 23), run by bench/plugins.sh; each starts FerryMQ in its own process
 * (-Xmx HEAP, management on PORT + 1000).
 *
 * MODE delayed: schedules N persistent 256-byte messages on a durable x-delayed-message exchange with confirms, their
 * due times spread evenly at RATE msg/s starting LEAD seconds after the bench started; measures the broker's live
 * heap with all of them scheduled, kill -9s it, measures how long the restart takes, then consumes them as they
 * fall due and reports lateness (p50/p99/max). End-to-end lateness uses the client's monotonic clock: the broker's
 * due time lies between send + x-delay and confirm + x-delay, so both bounds are reported; the broker's own
 * lateness (routing time minus due time) comes from its /metrics.
 *
 * MODE dedup: publishes N transient 256-byte messages, each with a distinct x-deduplication-header, with confirms,
 * first to a fanout exchange, then to a durable x-message-deduplication exchange with x-cache-size N (each bound to
 * a queue capped at 1,000 messages), and reports both publish rates and the broker's live heap after each (the
 * second includes the full cache).
 *
 * Usage: java -cp 'bench/target/lib/*' bench/plugins/PluginsBench.java MODE JAR WORKDIR PORT N RATE LEAD_S HEAP
 */
public class PluginsBench {
    static final int BODY = 256;

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path jar = Path.of(args[1]);
        Path work = Path.of(args[2]);
        int port = Integer.parseInt(args[3]);
        int n = Integer.parseInt(args[4]);
        int rate = Integer.parseInt(args[5]);
        long leadMillis = Long.parseLong(args[6]) * 1000;
        String heap = args[7];
        if (mode.equals("dedup")) {
            dedup(jar, work, port, n, heap);
        } else {
            delayed(jar, work, port, n, rate, leadMillis, heap);
        }
    }

    static void dedup(Path jar, Path work, int port, int n, String heap) throws Exception {
        Broker broker = Broker.start(jar, work, port, heap);
        System.out.printf("broker started, pid %d, -Xmx%s; baseline: %s%n", broker.pid(), heap, Memory.of(broker.pid()));
        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(port);
        try (Connection c = factory.newConnection("dedup-bench")) {
            Channel ch = c.createChannel();
            ch.exchangeDeclare("bench.fanout", "fanout", true);
            ch.exchangeDeclare("bench.dedup", "x-message-deduplication", true, false, Map.of("x-cache-size", n));
            for (String x : new String[] {"bench.fanout", "bench.dedup"}) {
                ch.queueDeclare(x + ".q", false, false, false, Map.of("x-max-length", 1_000));
                ch.queueBind(x + ".q", x, "");
            }
            ch.confirmSelect();
            for (String x : new String[] {"bench.fanout", "bench.dedup", "bench.fanout", "bench.dedup"}) {
                long start = System.nanoTime();
                String prefix = x + "-" + start + "-";
                publishConfirmed(ch, n, i -> {
                    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                            .headers(Map.of("x-deduplication-header", prefix + i)).build();
                    ch.basicPublish(x, "", props, new byte[BODY]);
                });
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("%s: %,d x %d B with distinct identities in %.1f s (%,.0f msg/s, confirmed); %s%n",
                        x, n, BODY, seconds, n / seconds, Memory.of(broker.pid()));
            }
        }
        System.out.println("(the dedup cache holds at most x-cache-size identities: the second dedup round evicts the"
                + " first's)");
        broker.stop();
    }

    /** A publish of message {@code i}. */
    interface Publish {
        void publish(int i) throws IOException;
    }

    /** Publishes n messages keeping at most 2,000 unconfirmed, and waits for the last confirm. */
    static void publishConfirmed(Channel ch, int n, Publish publish) throws Exception {
        Semaphore window = new Semaphore(2_000);
        ConcurrentSkipListMap<Long, Boolean> outstanding = new ConcurrentSkipListMap<>();
        var listener = ch.addConfirmListener((tag, multiple) -> {
            var acked = multiple ? outstanding.headMap(tag, true) : outstanding.subMap(tag, true, tag, true);
            window.release(acked.size());
            acked.clear();
        }, (tag, multiple) -> {
            throw new IllegalStateException("nack " + tag);
        });
        for (int i = 0; i < n; i++) {
            window.acquire();
            outstanding.put(ch.getNextPublishSeqNo(), true);
            publish.publish(i);
        }
        ch.waitForConfirmsOrDie(120_000);
        ch.removeConfirmListener(listener);
    }

    static void delayed(Path jar, Path work, int port, int n, int rate, long leadMillis, String heap)
            throws Exception {
        Broker broker = Broker.start(jar, work, port, heap);
        System.out.printf("broker started in %d ms (empty), pid %d, -Xmx%s%n", broker.startMillis, broker.pid(), heap);
        System.out.printf("baseline: %s%n", Memory.of(broker.pid()));

        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(port);
        factory.setAutomaticRecoveryEnabled(false);
        long benchStartWall = System.currentTimeMillis();
        long benchStartNanos = System.nanoTime();
        long[] sentNanos = new long[n];
        long[] confirmNanos = new long[n];
        long[] delays = new long[n];
        try (Connection c = factory.newConnection("delayed-bench-publisher")) {
            Channel ch = c.createChannel();
            ch.exchangeDeclare("bench.delayed", "x-delayed-message", true, false, Map.of("x-delayed-type", "direct"));
            ch.queueDeclare("bench.due", true, false, false, null);
            ch.queueBind("bench.due", "bench.delayed", "k");
            ch.confirmSelect();
            Semaphore window = new Semaphore(2_000);
            ConcurrentSkipListMap<Long, Integer> outstanding = new ConcurrentSkipListMap<>();
            ch.addConfirmListener((tag, multiple) -> {
                long now = System.nanoTime();
                var acked = multiple ? outstanding.headMap(tag, true) : outstanding.subMap(tag, true, tag, true);
                for (int seq : acked.values()) {
                    confirmNanos[seq] = now;
                    window.release();
                }
                acked.clear();
            }, (tag, multiple) -> {
                throw new IllegalStateException("nack " + tag);
            });
            byte[] padding = new byte[BODY - 16];
            long publishStart = System.nanoTime();
            for (int i = 0; i < n; i++) {
                window.acquire();
                long dueWall = benchStartWall + leadMillis + (long) i * 1000 / rate;
                long delay = Math.max(1, dueWall - System.currentTimeMillis());
                delays[i] = delay;
                ByteBuffer body = ByteBuffer.allocate(BODY).putLong(i).putLong(0).put(padding);
                AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().deliveryMode(2)
                        .headers(Map.of("x-delay", delay)).build();
                outstanding.put(ch.getNextPublishSeqNo(), i);
                sentNanos[i] = System.nanoTime();
                ch.basicPublish("bench.delayed", "k", props, body.array());
            }
            ch.waitForConfirmsOrDie(120_000);
            double seconds = (System.nanoTime() - publishStart) / 1e9;
            System.out.printf("scheduled %,d x %d B in %.1f s (%,.0f msg/s, confirmed)%n", n, BODY, seconds,
                    n / seconds);
        }
        Memory scheduled = Memory.of(broker.pid());
        System.out.printf("with %,d scheduled: %s%n", n, scheduled);
        long disk = du(work.resolve("data").resolve("delayed"));
        System.out.printf("data/delayed on disk: %,d MB%n", disk >> 20);

        broker.kill9();
        broker = Broker.start(jar, work, port, heap);
        System.out.printf("restart after kill -9 with %,d scheduled: serving AMQP in %d ms%n", n, broker.startMillis);
        System.out.printf("after restart: %s%n", Memory.of(broker.pid()));
        long firstDueNanos = benchStartNanos + leadMillis * 1_000_000;
        if (System.nanoTime() > firstDueNanos) {
            System.out.printf("WARNING: the due window began %d ms before the broker was back; raise LEAD%n",
                    (System.nanoTime() - firstDueNanos) / 1_000_000);
        }

        long[] lateHigh = new long[n];
        long[] lateLow = new long[n];
        AtomicLong received = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        boolean[] seen = new boolean[n];
        CountDownLatch done = new CountDownLatch(1);
        try (Connection c = factory.newConnection("delayed-bench-consumer")) {
            Channel ch = c.createChannel();
            ch.basicQos(2_000);
            ch.basicConsume("bench.due", false, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body)
                        throws IOException {
                    long now = System.nanoTime();
                    int seq = (int) ByteBuffer.wrap(body).getLong();
                    if (seen[seq]) {
                        duplicates.incrementAndGet();
                    } else {
                        seen[seq] = true;
                        long delayNanos = delays[seq] * 1_000_000;
                        lateHigh[seq] = now - (sentNanos[seq] + delayNanos);
                        lateLow[seq] = now - (confirmNanos[seq] + delayNanos);
                        if (received.incrementAndGet() == n) {
                            done.countDown();
                        }
                    }
                    if (env.getDeliveryTag() % 500 == 0) {
                        getChannel().basicAck(env.getDeliveryTag(), true);
                    }
                }
            });
            long dueSpanMillis = (long) n * 1000 / rate;
            long waitMillis = Math.max(0, (firstDueNanos - System.nanoTime()) / 1_000_000) + dueSpanMillis + 60_000;
            if (!done.await(waitMillis, TimeUnit.MILLISECONDS)) {
                System.out.printf("TIMEOUT: received %,d of %,d%n", received.get(), n);
            }
        }
        System.out.printf("routed %,d of %,d at %,d msg/s due rate, %d duplicates (at least once after kill -9)%n",
                received.get(), n, rate, duplicates.get());
        lateSpread(lateLow, seen, rate);
        report("lateness (upper bound: from send + x-delay)", lateHigh, seen);
        report("lateness (lower bound: from confirm + x-delay)", lateLow, seen);
        System.out.printf("at the end: %s%n", Memory.of(broker.pid()));
        System.out.println("broker-side (routing time - due time, /metrics):");
        var metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + (port + 1000) + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        metrics.lines().filter(l -> l.startsWith("ferrymq_delayed_")).forEach(l -> System.out.println("  " + l));
        broker.stop();
    }

    /** When the late messages (over 50 ms past confirm + x-delay) were due: per second of the due window. */
    static void lateSpread(long[] nanos, boolean[] seen, int rate) {
        java.util.TreeMap<Integer, Integer> lateBySecond = new java.util.TreeMap<>();
        for (int i = 0; i < nanos.length; i++) {
            if (seen[i] && nanos[i] > 50_000_000L) {
                lateBySecond.merge(i / rate, 1, Integer::sum);
            }
        }
        System.out.printf("seconds of the due window with messages over 50 ms late (second=count): %s%n",
                lateBySecond);
    }

    static void report(String what, long[] nanos, boolean[] seen) {
        List<Long> values = new ArrayList<>();
        for (int i = 0; i < nanos.length; i++) {
            if (seen[i]) {
                values.add(nanos[i]);
            }
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        if (sorted.length == 0) {
            return;
        }
        System.out.printf("%s: p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms%n", what,
                sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6,
                sorted[(int) (sorted.length * 0.999)] / 1e6, sorted[sorted.length - 1] / 1e6);
    }

    static long du(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** The broker process. */
    record Broker(Process process, long startMillis) {
        static Broker start(Path jar, Path work, int port, String heap) throws Exception {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder("java", "-Xmx" + heap, "-jar", jar.toString(), "server",
                    "--amqp-port", Integer.toString(port), "--management-port", Integer.toString(port + 1000),
                    "--bind", "127.0.0.1",
                    "--data-dir", work.resolve("data").toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                            work.resolve("broker.log").toFile())).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("broker exited; see " + work.resolve("broker.log"));
                }
                try (Socket s = new Socket("127.0.0.1", port)) {
                    return new Broker(p, (System.nanoTime() - t0) / 1_000_000);
                } catch (IOException notYet) {
                    Thread.sleep(50);
                }
            }
            p.destroyForcibly();
            throw new IllegalStateException("broker did not start");
        }

        long pid() {
            return process.pid();
        }

        void kill9() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
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

        static String run(String... command) throws Exception {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            return out;
        }

        @Override
        public String toString() {
            return String.format("live heap %,d MB, RSS %,d MB", liveHeap >> 20, rss >> 20);
        }
    }
}
