/**
 * The cluster seam: what the server needs from clustering, without depending on it. A {@link
 * dev.ferrymq.broker.cluster.ClusterProvider} is found with {@link java.util.ServiceLoader} (the {@code
 * ferrymq-cluster} module provides one, on Apache Ratis) only when cluster seeds are configured, so a single node
 * never loads a consensus library, starts its threads or opens its port.
 */
package dev.ferrymq.broker.cluster;
