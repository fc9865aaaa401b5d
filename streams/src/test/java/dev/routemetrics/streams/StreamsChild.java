package dev.routemetrics.streams;

import java.util.HashMap;
import java.util.Map;

/**
 * One streams instance in a JVM of its own, for tests that SIGKILL it: {@code key=value} settings
 * as arguments.
 */
public final class StreamsChild {

  private StreamsChild() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> settings = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      settings.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    new StreamsApp(new StreamsAppConfig(settings)).runUntilShutdown();
  }
}
