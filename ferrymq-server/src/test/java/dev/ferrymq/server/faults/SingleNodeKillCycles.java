package dev.ferrymq.server.faults;

import com.rabbitmq.client.ConnectionFactory;
import dev.ferrymq.server.crash.BrokerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

/**
 * The single-node half of the campaign: one broker process ({@link BrokerProcess}), a classic durable queue, the
 * same {@link Workload} (publishers with confirms, consumers acking in transactions so that an ack is known to be
 * done), and {@code cycles} kill -9s at random moments of the traffic, each followed by a restart on the same data
 * directory. The {@link Checker} then wants nothing confirmed lost and no settled ack resurrected. Every phase is
 * bounded (a start by {@link BrokerProcess#START_TIMEOUT}).
 */
final class SingleNodeKillCycles {
    static final String QUEUE = "faults-classic";

    /** {@code bodySize} large enough (e.g. 64 KiB) makes the message log roll over to new segments between kills. */
    record Config(int cycles, Duration minUp, Duration maxUp, long seed, Workload.Settings workload,
            Duration drainTimeout) {

        static Config of(int cycles, int bodySize, long seed) {
            return new Config(cycles, Duration.ofMillis(500), Duration.ofMillis(2500), seed,
                    new Workload.Settings(2, 2, Duration.ofMillis(10), 20, Duration.ofSeconds(20), bodySize, 20, true,
                            Duration.ofSeconds(15)), Duration.ofSeconds(60));
        }
    }

    record Result(Config config, Checker.Verdict verdict, boolean drained, java.util.List<String> events) {
        boolean passed() {
            return verdict.passed() && drained;
        }
    }

    private SingleNodeKillCycles() {
    }

    static Result run(Config config, Path dir) throws Exception {
        Random random = new Random(config.seed());
        History history = new History();
        try (BrokerProcess broker = BrokerProcess.on(dir.resolve("data")).start()) {
            Endpoints endpoints = new Endpoints() {
                @Override
                public int size() {
                    return 1;
                }

                @Override
                public String name(int node) {
                    return "broker";
                }

                @Override
                public ConnectionFactory factory(int node) {
                    return Endpoints.factory("127.0.0.1", broker.port(), "guest", "guest");
                }
            };
            try (var connection = endpoints.factory(0).newConnection("faults-declare")) {
                connection.createChannel().queueDeclare(QUEUE, true, false, false, null);
            }
            Workload workload = new Workload(endpoints, QUEUE, config.workload(), history);
            workload.start();
            for (int cycle = 1; cycle <= config.cycles(); cycle++) {
                long span = config.maxUp().toMillis() - config.minUp().toMillis();
                Thread.sleep(config.minUp().toMillis() + (span > 0 ? random.nextLong(span) : 0));
                broker.kill9();
                history.event("kill -9 #" + cycle);
                broker.restart();
                history.event("restarted on port " + broker.port());
            }
            workload.stopPublishers();
            boolean drained = workload.drainAndStop(config.drainTimeout());
            history.closeOpenWindows();
            Checker.Verdict verdict = Checker.check(history.snapshot());
            history.event(verdict.summary());
            return new Result(config, verdict, drained, history.snapshot().events());
        }
    }
}
