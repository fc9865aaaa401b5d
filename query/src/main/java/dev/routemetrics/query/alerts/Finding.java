package dev.routemetrics.query.alerts;

/** A rule's condition holding for one subject (a channel, or a partner's statement) right now. */
public record Finding(String subject, Double value, String detail) {}
