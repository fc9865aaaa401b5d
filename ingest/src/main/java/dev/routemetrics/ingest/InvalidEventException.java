package dev.routemetrics.ingest;

import java.util.List;
import java.util.stream.Collectors;

/** An event the edge refuses, with every field that is wrong. */
public final class InvalidEventException extends RuntimeException {

  private final List<FieldError> errors;

  public InvalidEventException(List<FieldError> errors) {
    super(
        errors.stream().map(e -> e.field() + ": " + e.problem()).collect(Collectors.joining("; ")));
    this.errors = List.copyOf(errors);
  }

  public List<FieldError> errors() {
    return errors;
  }
}
