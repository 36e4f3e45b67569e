/**
 * Replicated metadata: the broker's metadata changes as commands ({@link dev.ferrymq.broker.metadata.MetadataCommand})
 * that a cluster appends to a replicated log and every node applies in order, their binary form, their answers,
 * and the snapshot of the whole metadata ({@link dev.ferrymq.broker.metadata.MetadataSnapshot}). A single node
 * uses none of it.
 */
package dev.ferrymq.broker.metadata;
