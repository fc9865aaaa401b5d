package dev.routemetrics.schemas.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {

  @Test
  void shouldStoreOnlyTheHashOfAKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("keys.json");
    String key = ApiKeys.add(file, "lab-ops", null);

    assertThat(Files.readString(file)).doesNotContain(key).contains(ApiKeys.sha256(key));
    assertThat(new ApiKeys(file).authenticate(key)).contains(new Principal("lab-ops", null));
  }

  @Test
  void shouldRotateAndRevokeKeysWithoutARestart(@TempDir Path dir) {
    Path file = dir.resolve("keys.json");
    String first = ApiKeys.add(file, "nimbus", "nimbus-cloud");
    ApiKeys keys = new ApiKeys(file);
    assertThat(keys.authenticate(first)).contains(new Principal("nimbus", "nimbus-cloud"));

    String rotated = ApiKeys.add(file, "nimbus", "nimbus-cloud");
    assertThat(keys.authenticate(first)).as("the old key after rotation").isEmpty();
    assertThat(keys.authenticate(rotated)).contains(new Principal("nimbus", "nimbus-cloud"));

    assertThat(ApiKeys.revoke(file, "nimbus")).isTrue();
    assertThat(keys.authenticate(rotated)).as("a revoked key").isEmpty();
  }

  @Test
  void shouldRefuseEveryKeyWhenThereIsNoKeyFile(@TempDir Path dir) {
    assertThat(new ApiKeys(dir.resolve("missing.json")).authenticate("rm_anything")).isEmpty();
    assertThat(new ApiKeys(dir.resolve("missing.json")).authenticate(null)).isEmpty();
  }
}
