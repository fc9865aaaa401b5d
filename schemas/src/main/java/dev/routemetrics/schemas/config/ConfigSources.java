package dev.routemetrics.schemas.config;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Where a service's settings come from, highest first: explicit overrides (tests, command-line
 * flags), JVM system properties ({@code -Droutemetrics.kafka.bootstrap=...}), environment variables
 * ({@code ROUTEMETRICS_KAFKA_BOOTSTRAP}), then the defaults declared in the service's {@link
 * ConfigDef}. Keys a definition does not declare are not read, so a typo fails at start.
 */
public final class ConfigSources {

  /**
   * A metrics generation's name goes into topic, group and database names: letters, digits and _
   * only.
   */
  public static final ConfigDef.Validator GENERATION_NAME =
      ConfigDef.LambdaValidator.with(
          (name, value) -> {
            if (value == null || !value.toString().matches("[A-Za-z0-9_]*")) {
              throw new org.apache.kafka.common.config.ConfigException(
                  name, value, "letters, digits and _ only");
            }
          },
          () -> "letters, digits and _");

  private ConfigSources() {}

  public static Map<String, Object> resolve(ConfigDef definition, Map<String, ?> overrides) {
    Map<String, Object> values = new HashMap<>();
    for (String key : definition.names()) {
      String env = System.getenv(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
      String property = System.getProperty(key);
      if (overrides.containsKey(key)) {
        values.put(key, overrides.get(key));
      } else if (property != null && !property.isBlank()) {
        values.put(key, property);
      } else if (env != null && !env.isBlank()) {
        values.put(key, env);
      }
    }
    for (String key : overrides.keySet()) {
      if (!definition.names().contains(key)) {
        throw new IllegalArgumentException(
            "unknown setting '" + key + "'; known: " + definition.names());
      }
    }
    return values;
  }
}
