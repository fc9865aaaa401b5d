package dev.routemetrics.simulator.output;

import dev.routemetrics.simulator.traffic.Delivery;

/** Where simulated deliveries go, in arrival order. */
public interface EventSink extends AutoCloseable {

  void accept(Delivery delivery);

  /** One line for the operator: what went where. */
  String describe();

  /** Flushes and waits for everything in flight. */
  @Override
  void close();
}
