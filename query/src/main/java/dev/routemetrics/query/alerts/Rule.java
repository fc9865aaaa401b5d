package dev.routemetrics.query.alerts;

import java.time.Instant;
import java.util.List;

/**
 * One alert rule: given the metrics as of {@code now}, the subjects for which its condition holds.
 * A subject absent from the answer is fine; the evaluator resolves it if it was firing. A rule that
 * cannot read its inputs throws, and the evaluator leaves that rule's alerts as they were.
 */
public interface Rule {

  /** Name used in alerts, config and URLs, kebab-case. */
  String name();

  /** The bound the value is compared with. */
  double threshold();

  /** What value and threshold measure, e.g. "fraction", "percent", "seconds". */
  String unit();

  List<Finding> evaluate(AlertInputs inputs, Instant now) throws Exception;
}
