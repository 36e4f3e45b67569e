import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.ferrymq.embedded.FerryMQBroker;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Embedded FerryMQ start-up figures (issue 22), all in one JVM:
 *  1. cold start: FerryMQBroker.builder().inMemory().start() until a TCP connect to its AMQP port succeeds, STARTS
 *     times in a row (each broker closed before the next; closing not timed): the first (class loading, JIT) and the
 *     median and p95 of all;
 *  2. heap added by the first broker: used heap after full GCs with it running minus before any started (what its
 *     classes' static state and the running broker hold);
 *  3. resetAll() with QUEUES queues (each bound to amq.topic, half holding a message), ROUNDS times.
 * Run by bench/embedded.sh (which builds the class path); args: STARTS QUEUES ROUNDS.
 */
public final class EmbeddedStartBench {
    public static void main(String[] args) throws Exception {
        int starts = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int queues = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 20;

        // The first start is measured twice over: its time (class loading and all) and the heap it adds.
        List<Double> startMillis = new ArrayList<>();
        List<Double> cpuMillis = new ArrayList<>();
        long heapBefore = usedHeapAfterGc();
        long heapAfter = 0;
        for (int i = 0; i < starts; i++) {
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            FerryMQBroker broker = FerryMQBroker.builder().amqpPort(0).inMemory().start();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", broker.port()), 5_000);
            }
            startMillis.add((System.nanoTime() - t0) / 1e6);
            cpuMillis.add((processCpuNanos() - cpu0) / 1e6);
            if (i == 0) {
                heapAfter = usedHeapAfterGc();
            }
            broker.close();
        }
        System.out.printf("cold start (start() to an accepted TCP connection), %d starts in one JVM:%n", starts);
        System.out.printf("  first %.1f ms, median %.1f ms, p95 %.1f ms, min %.1f ms, max %.1f ms%n",
                startMillis.get(0), percentile(startMillis, 50), percentile(startMillis, 95),
                Collections.min(startMillis), Collections.max(startMillis));
        System.out.printf("  CPU time of the whole JVM meanwhile (JIT and GC threads too; less sensitive to other "
                + "load on the machine): first %.0f ms, median %.0f ms%n", cpuMillis.get(0), percentile(cpuMillis, 50));
        System.out.printf("heap added by the first broker, running: %.1f MiB (used heap after GC %.1f -> %.1f MiB)%n",
                (heapAfter - heapBefore) / 1048576.0, heapBefore / 1048576.0, heapAfter / 1048576.0);

        try (FerryMQBroker broker = FerryMQBroker.builder().inMemory().start()) {
            List<Double> resetMillis = new ArrayList<>();
            ConnectionFactory factory = new ConnectionFactory();
            factory.setUri(broker.amqpUri());
            try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
                for (int round = 0; round < rounds; round++) {
                    channel.confirmSelect();
                    for (int q = 0; q < queues; q++) {
                        String name = "bench-" + q;
                        channel.queueDeclare(name, q % 2 == 0, false, false, null);
                        channel.queueBind(name, "amq.topic", name);
                        if (q % 2 == 0) {
                            channel.basicPublish("", name, null, new byte[100]);
                        }
                    }
                    channel.waitForConfirmsOrDie(10_000);
                    long t0 = System.nanoTime();
                    broker.resetAll();
                    resetMillis.add((System.nanoTime() - t0) / 1e6);
                }
            }
            System.out.printf("resetAll() with %d queues (bound, half durable with a message), %d rounds:%n",
                    queues, rounds);
            System.out.printf("  median %.2f ms, p95 %.2f ms, max %.2f ms%n", percentile(resetMillis, 50),
                    percentile(resetMillis, 95), Collections.max(resetMillis));
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Nearest-rank percentile. */
    private static double percentile(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
