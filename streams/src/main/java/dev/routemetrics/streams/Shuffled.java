package dev.routemetrics.streams;

/**
 * What the task that deduplicates usage and feedback sends on: partial tallies to the channel
 * window's task, join batches to the join's partition. It never leaves the task as such: the
 * topology splits it by kind before each repartition.
 */
sealed interface Shuffled {

  record Partial(ChannelWindowTally tally) implements Shuffled {}

  record Join(JoinBatch batch) implements Shuffled {}
}
