package dev.routemetrics.streams;

/**
 * What the task that deduplicates usage and feedback sends on: partial tallies to the channel
 * window's task, join entries to the request's task. It never leaves the task as such: the topology
 * splits it by kind before each repartition.
 */
sealed interface Shuffled {

  record Partial(ChannelWindowTally tally) implements Shuffled {}

  record Join(JoinEntry entry) implements Shuffled {}
}
