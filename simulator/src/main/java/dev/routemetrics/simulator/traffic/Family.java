package dev.routemetrics.simulator.traffic;

import java.util.Locale;

/** The three event families, with the ingest path and file each goes to. */
public enum Family {
  USAGE,
  BILLING,
  FEEDBACK;

  /** {@code /v1/events/usage}, {@code /v1/events/billing}, {@code /v1/events/feedback}. */
  public String ingestPath() {
    return "/v1/events/" + name().toLowerCase(Locale.ROOT);
  }

  /** {@code usage.ndjson} and so on. */
  public String fileName() {
    return name().toLowerCase(Locale.ROOT) + ".ndjson";
  }
}
