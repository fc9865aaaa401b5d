package dev.routemetrics.streams;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * When each entry of another store may be forgotten, kept as keys {@code <expiry millis,
 * zero-padded>|<key>} so the entries due are one ordered range scan away, and expiring never reads
 * (or deserializes) the entries that stay.
 */
final class ExpiryIndex {

  private final KeyValueStore<String, String> index;

  ExpiryIndex(KeyValueStore<String, String> index) {
    this.index = index;
  }

  void add(long expiresAt, String key) {
    index.put(indexKey(expiresAt, key), key);
  }

  /**
   * Removes and returns the keys due at or before {@code now} (some may have been extended since).
   */
  List<String> takeDue(long now) {
    List<KeyValue<String, String>> due = new ArrayList<>();
    try (KeyValueIterator<String, String> it =
        index.range(indexKey(0, ""), indexKey(Math.max(0, now), "\uffff"))) {
      it.forEachRemaining(due::add);
    }
    List<String> keys = new ArrayList<>(due.size());
    for (KeyValue<String, String> entry : due) {
      index.delete(entry.key);
      keys.add(entry.value);
    }
    return keys;
  }

  private static String indexKey(long expiresAt, String key) {
    return String.format("%019d|%s", expiresAt, key);
  }
}
