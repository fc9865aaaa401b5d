package dev.routemetrics.ingest;

/** One thing wrong with one field of an event, phrased for the client that sent it. */
public record FieldError(String field, String problem) {}
