/**
 * Clustering on Apache Ratis: node membership, replicated metadata and quorum queues. The single-node broker
 * never loads this module; the server finds it through {@link java.util.ServiceLoader} only when cluster seeds
 * are configured.
 */
package dev.ferrymq.cluster;
