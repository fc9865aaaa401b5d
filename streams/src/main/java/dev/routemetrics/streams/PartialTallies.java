package dev.routemetrics.streams;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Fold before the shuffle: partial tallies of one task, one per window key, folded event by event
 * between two emits and then shipped as they are to the task that keeps the window's total. Many
 * events of one window between two emits cross the repartition as one record.
 *
 * <p>The store is a {@link LiveObjectStore} over a changelogged in-memory store, so a fold is a map
 * lookup, and whatever was folded but not yet shipped when Kafka Streams commits is in that
 * commit's changelog: a crash after the commit ships it after the restart, a crash before it folds
 * the same events again from the committed offsets. Shipping and deleting happen in one transaction
 * with the output, so a partial is shipped once.
 */
final class PartialTallies<T> {

  private final KeyValueStore<String, T> store;

  PartialTallies(KeyValueStore<String, T> store) {
    this.store = store;
  }

  /** Folds {@code update} into the partial of {@code key} (new if none); returns the partial. */
  T fold(String key, Supplier<T> empty, Consumer<T> update) {
    T tally = store.get(key);
    if (tally == null) {
      tally = empty.get();
    }
    update.accept(tally);
    store.put(key, tally);
    return tally;
  }

  /** Forgets the partial of {@code key}, to be shipped by the caller now. */
  void take(String key) {
    store.delete(key);
  }

  /** Hands every partial to {@code ship} and forgets it; returns how many were shipped. */
  int drain(BiConsumer<String, T> ship) {
    List<KeyValue<String, T>> partials = new ArrayList<>();
    try (KeyValueIterator<String, T> it = store.all()) {
      it.forEachRemaining(partials::add);
    }
    for (KeyValue<String, T> partial : partials) {
      ship.accept(partial.key, partial.value);
      store.delete(partial.key);
    }
    return partials.size();
  }
}
