package dev.routemetrics.schemas.registry;

/** Who owns a control point of a channel. */
public enum ControlOwner {
  LAB,
  PARTNER,
  CUSTOMER
}
