package dev.ferrymq.server.cli;

import dev.ferrymq.server.FerryServer;
import dev.ferrymq.server.ListenerBindException;
import dev.ferrymq.server.config.ConfigSources;
import dev.ferrymq.server.config.ServerConfig;
import io.netty.util.ResourceLeakDetector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ferrymq server}: starts the broker in the foreground until Ctrl-C or SIGTERM. Its setting flags come from
 * {@link SettingFlags}. A bad setting or a listener that cannot bind ends it with one line on stderr.
 */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Run the broker in the foreground.",
        sortOptions = false, modelTransformer = SettingFlags.class)
final class ServerCommand implements Callable<Integer> {
    /** Exit status for a setting that cannot be used (picocli's for a usage error). */
    static final int BAD_SETTING = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Config file of 'key = value' lines (default: $FERRYMQ_CONFIG, else ./ferrymq.conf "
                    + "if it exists); every key is also read from FERRYMQ_<KEY> environment variables "
                    + "(FERRYMQ_AMQP_PORT=5673). Flags win over the environment, which wins over the file. "
                    + "Keys: docs/config.md.")
    Path configFile;

    /**
     * Netty samples one buffer in 128 and records a stack trace for it: about 1% of the broker's CPU on a 1 KB
     * publish/consume run (async-profiler). Worth it in tests, which start the server without this command; a
     * production broker skips it unless {@code -Dio.netty.leakDetection.level} asks for it.
     */
    private static void disableLeakDetectionUnlessAsked() {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    @Override
    public Integer call() throws Exception {
        ServerConfig config;
        try {
            config = ConfigSources.load(configFile, System.getenv(),
                    SettingFlags.given(spec.commandLine().getParseResult()));
            config.clusterConfig(); // settings that must fit together: the seeds and this node's name and port
        } catch (IllegalArgumentException e) { // a SettingException or settings that do not fit: one line
            System.err.println("ferrymq: " + e.getMessage());
            return BAD_SETTING;
        }
        // read by ferrymq-logback.xml; logging is first configured in FerryServer.start, after this
        System.setProperty("ferrymq.log.level", config.logLevel());
        System.setProperty("ferrymq.log.format", config.logFormat());
        disableLeakDetectionUnlessAsked();
        FerryServer server;
        try {
            server = FerryServer.start(config);
        } catch (ListenerBindException e) { // one line that says what to change, not a stack trace
            System.err.println("ferrymq: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) { // a load-definitions file that cannot be read or applied
            System.err.println("ferrymq: " + e.getMessage());
            return BAD_SETTING;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "ferrymq-shutdown"));
        stopped.await();
        return 0;
    }
}
