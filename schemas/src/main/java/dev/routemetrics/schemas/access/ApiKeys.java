package dev.routemetrics.schemas.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys of the ingest and the query service (one file serves both unless configured
 * otherwise), read from a JSON file that holds only their SHA-256 hashes. The file is re-read when
 * it changes, so keys are added, rotated and revoked without a restart. Keys are 32 random bytes,
 * so a plain hash is enough: there is nothing to guess that a slow hash would protect.
 *
 * <pre>
 * {"keys": [{"id": "lab-ops", "sha256": "…"}, {"id": "nimbus-1", "sha256": "…", "partner": "nimbus-cloud"}]}
 * </pre>
 */
public final class ApiKeys {

  private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PREFIX = "rm_";

  private final Path file;
  private volatile Map<String, Principal> byHash = Map.of();
  private volatile FileTime loadedModified;
  private volatile boolean warnedMissing;
  private volatile long loadedSize = -1;

  public ApiKeys(Path file) {
    this.file = file;
    reloadIfChanged();
  }

  /** The principal a presented key speaks for, or empty for a missing, unknown or revoked key. */
  public Optional<Principal> authenticate(String presentedKey) {
    if (presentedKey == null || presentedKey.isBlank()) {
      return Optional.empty();
    }
    reloadIfChanged();
    return Optional.ofNullable(byHash.get(sha256(presentedKey.strip())));
  }

  /**
   * The key a request presents, from its headers: {@code Authorization: Bearer <key>}, else {@code
   * X-Api-Key: <key>}; null when it presents none. Both services read keys this way.
   */
  public static String presented(String authorizationHeader, String apiKeyHeader) {
    if (authorizationHeader != null
        && authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorizationHeader.substring(7);
    }
    return apiKeyHeader;
  }

  private void reloadIfChanged() {
    try {
      if (!Files.exists(file)) {
        if (!warnedMissing) {
          log.warn(
              "API key file {} does not exist: every request will get 401. Create a key with"
                  + " `routemetrics keys add`.",
              file);
          warnedMissing = true;
        }
        byHash = Map.of();
        loadedModified = null;
        return;
      }
      warnedMissing = false;
      // Nanosecond modification times: a rotation right after a load is still seen.
      FileTime modified = Files.getLastModifiedTime(file);
      long size = Files.size(file);
      if (modified.equals(loadedModified) && size == loadedSize) {
        return;
      }
      Map<String, Principal> keys = new HashMap<>();
      for (JsonNode key : JSON.readTree(file.toFile()).path("keys")) {
        String partner = key.path("partner").isTextual() ? key.get("partner").asText() : null;
        keys.put(key.path("sha256").asText(), new Principal(key.path("id").asText(), partner));
      }
      byHash = Map.copyOf(keys);
      loadedModified = modified;
      loadedSize = size;
      log.info("loaded {} API keys from {}", keys.size(), file);
    } catch (IOException e) {
      // Keep the keys we had: a half-written file must not lock everyone out or let anyone in.
      log.error(
          "cannot read API key file {}; keeping the {} keys loaded before: {}",
          file,
          byHash.size(),
          e.getMessage());
    }
  }

  /**
   * Creates a key, stores its hash under {@code id} (replacing a key of that id: rotation), and
   * returns the key.
   */
  public static String add(Path file, String id, String partnerId) {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    ObjectNode root = read(file);
    ArrayNode keys = removeId(root, id);
    ObjectNode entry = keys.addObject().put("id", id).put("sha256", sha256(key));
    if (partnerId != null) {
      entry.put("partner", partnerId);
    }
    write(file, root);
    return key;
  }

  /** Removes the key with this id; returns whether there was one. */
  public static boolean revoke(Path file, String id) {
    ObjectNode root = read(file);
    int before = root.withArray("keys").size();
    removeId(root, id);
    write(file, root);
    return root.withArray("keys").size() < before;
  }

  private static ArrayNode removeId(ObjectNode root, String id) {
    ArrayNode keys = root.withArray("keys");
    for (int i = keys.size() - 1; i >= 0; i--) {
      if (id.equals(keys.get(i).path("id").asText())) {
        keys.remove(i);
      }
    }
    return keys;
  }

  private static ObjectNode read(Path file) {
    try {
      return Files.exists(file)
          ? (ObjectNode) JSON.readTree(file.toFile())
          : JSON.createObjectNode();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read API key file " + file, e);
    }
  }

  /** Writes beside the file and renames, so a reader never sees half a file. */
  private static void write(Path file, ObjectNode root) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path temp = Files.createTempFile(dir, ".api-keys", ".json");
      Files.writeString(temp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write API key file " + file, e);
    }
  }

  static String sha256(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
