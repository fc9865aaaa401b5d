package dev.routemetrics.schemas.registry;

/** The six points of control over a customer relationship named in docs/domain.md. */
public enum ControlPoint {
  IDENTITY,
  WORKFLOW,
  PROCUREMENT,
  GOVERNANCE,
  BILLING,
  /** The daily habit: who owns the screen the user returns to. */
  INTERFACE
}
