package dev.ferrymq.cluster;

import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Ratis settings of a FerryMQ node, in one place, with why each differs from Ratis' default.
 *
 * <ul>
 *   <li><b>gRPC transport</b> (see {@link #client()} for why not Netty); one port per node serves Raft, client
 *   and admin requests.</li>
 *   <li><b>Election timeout 1-2 s</b> (Ratis: 150-300 ms). A follower that hears nothing from the leader for this
 *   long starts an election. A stop-the-world pause (a full collection of a few hundred MiB with the serial
 *   collector of jvm.options, or a loaded 2-core machine) can easily exceed 300 ms, and each spurious election
 *   interrupts every group the paused node leads. 1-2 s keeps failover (detection plus election) within the
 *   issue's 5 s while riding out pauses. The first election after start uses the same range.</li>
 *   <li><b>Snapshot every 10,000 applied entries</b> (Ratis: 400,000, and only when enabled): the metadata log is
 *   small and rarely written; a snapshot keeps start-up replay short.</li>
 *   <li><b>Keep 1,000 entries behind a snapshot when purging</b> (purgePreservationLogNum; Ratis: 0): a follower
 *   that was briefly down then catches up from the log instead of needing a snapshot install, and a follower in
 *   the middle of an install does not find the entries after the snapshot purged ("log entry not found" loops).</li>
 *   <li><b>8 MiB log segments, 1 MiB preallocated</b> (Ratis: 32 MiB and 4 MiB): each group has its own log, and
 *   quorum queues will add many groups per node.</li>
 * </ul>
 */
public final class RaftSettings {
    static final TimeDuration ELECTION_TIMEOUT_MIN = TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS);
    static final TimeDuration ELECTION_TIMEOUT_MAX = TimeDuration.valueOf(2000, TimeUnit.MILLISECONDS);
    static final long SNAPSHOT_EVERY_ENTRIES = 10_000;
    static final long PRESERVED_ENTRIES_AFTER_PURGE = 1_000;
    /**
     * System properties with this prefix set the Ratis key after it, over FerryMQ's choice, for servers started
     * afterwards (tests use it to snapshot and purge after a few entries; also a way out in production).
     */
    public static final String OVERRIDE_PREFIX = "ferrymq.cluster.ratis.";
    /** How long a client request (a membership change, a metadata command) waits for one answer. */
    static final TimeDuration REQUEST_TIMEOUT = TimeDuration.valueOf(5, TimeUnit.SECONDS);

    private RaftSettings() {
    }

    /** The properties of a server listening on {@code host:port} and keeping its groups under {@code storageDir}. */
    public static RaftProperties server(String host, int port, Path storageDir) {
        RaftProperties properties = client();
        GrpcConfigKeys.Server.setHost(properties, host);
        GrpcConfigKeys.Server.setPort(properties, port);
        RaftServerConfigKeys.setStorageDir(properties, List.of(storageDir.toFile()));

        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, ELECTION_TIMEOUT_MIN);
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, ELECTION_TIMEOUT_MAX);
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(properties, ELECTION_TIMEOUT_MIN);
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(properties, ELECTION_TIMEOUT_MAX);
        RaftServerConfigKeys.Rpc.setRequestTimeout(properties, REQUEST_TIMEOUT);

        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, SNAPSHOT_EVERY_ENTRIES);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
        RaftServerConfigKeys.Log.setPurgePreservationLogNum(properties, PRESERVED_ENTRIES_AFTER_PURGE);
        RaftServerConfigKeys.Log.setSegmentSizeMax(properties, SizeInBytes.valueOf("8MB"));
        RaftServerConfigKeys.Log.setPreallocatedSize(properties, SizeInBytes.valueOf("1MB"));
        System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith(OVERRIDE_PREFIX))
                .forEach(name -> properties.set(name.substring(OVERRIDE_PREFIX.length()), System.getProperty(name)));
        return properties;
    }

    /**
     * How often a client request is retried (after a leader change, or while there is no leader) before it fails:
     * 40 tries a quarter of a second apart, about 10 s, outlast detecting a lost leader and electing another
     * (1-4 s) with room for a loaded machine, and a request never hangs forever, as it would with Ratis' default
     * of retrying without end. Counted in tries, not time: over gRPC a try at a closed node fails at once, and
     * 8 tries were used up in 2 s, before the election was over (ReplicatedMetadataTest, CI).
     */
    public static RetryPolicy clientRetries() {
        return RetryPolicies.retryUpToMaximumCountWithFixedSleep(40, TimeDuration.valueOf(250, TimeUnit.MILLISECONDS));
    }

    /**
     * The properties of a client (membership changes, metadata commands, quorum queue proposals): gRPC transport,
     * bounded requests. gRPC, not Ratis' Netty transport: the Netty client can deadlock when it reconnects (a
     * timer thread holds the ordered client's sliding-window lock while it waits, in {@code connect().sync()},
     * for an event loop that is itself blocked on that lock; seen twice in QuorumQueueStateMachineTest under
     * load), and the Netty server blocks its event loop on every client request until it is applied.
     */
    public static RaftProperties client() {
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, REQUEST_TIMEOUT);
        return properties;
    }
}
