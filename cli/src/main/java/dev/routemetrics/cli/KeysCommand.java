package dev.routemetrics.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.ingest.IngestConfig;
import dev.routemetrics.schemas.access.ApiKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = {
      "Manage the API keys of the ingest and the query service (one file).",
      "The file is routemetrics.ingest.api.keys.file; deploy/env.sh points the query service's"
          + " routemetrics.query.api.keys.file at the same one.",
      "The file holds only hashes; running services pick changes up without a restart."
    },
    subcommands = {KeysCommand.Add.class, KeysCommand.Revoke.class, KeysCommand.ListKeys.class})
final class KeysCommand {

  static Path file(Settings settings) {
    return Path.of(new IngestConfig(settings.overrides).getString(IngestConfig.API_KEYS_FILE));
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description =
          "Create a key (or rotate the key of that id) and print it once; only its hash is stored.")
  static final class Add implements Callable<Integer> {
    @Mixin Settings settings;

    @Parameters(index = "0", description = "Name of the key, e.g. lab-ops or nimbus-2026-11.")
    String id;

    @Option(
        names = "--partner",
        description =
            "Partner id from the channel registry: the key may write and read only that partner's"
                + " channels. Without it the key is the lab's own (operators, finance, data teams)"
                + " and may write and read any channel.")
    String partner;

    @Override
    public Integer call() {
      System.out.println(ApiKeys.add(file(settings), id, partner));
      return 0;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Remove a key; requests with it get 401 from then on.")
  static final class Revoke implements Callable<Integer> {
    @Mixin Settings settings;

    @Parameters(index = "0", description = "Name of the key.")
    String id;

    @Override
    public Integer call() {
      boolean removed = ApiKeys.revoke(file(settings), id);
      System.out.println(removed ? "revoked " + id : "no key named " + id);
      return removed ? 0 : 1;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List key names and scopes (never the keys).")
  static final class ListKeys implements Callable<Integer> {
    @Mixin Settings settings;

    @Override
    public Integer call() throws Exception {
      Path file = file(settings);
      if (!Files.exists(file)) {
        System.out.println("no keys yet in " + file);
        return 0;
      }
      for (JsonNode key : new ObjectMapper().readTree(file.toFile()).path("keys")) {
        System.out.printf(
            "%-30s %s%n",
            key.path("id").asText(),
            key.path("partner").isTextual()
                ? "partner " + key.get("partner").asText()
                : "lab (any channel)");
      }
      return 0;
    }
  }
}
