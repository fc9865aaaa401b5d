package dev.routemetrics.cli;

import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/**
 * Keeps a long-running service up until the JVM is asked to stop (SIGTERM, Ctrl-C), then closes it.
 */
final class UntilShutdown {

  private UntilShutdown() {}

  static int run(AutoCloseable... services) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (AutoCloseable service : services) {
                    try {
                      if (service != null) {
                        service.close();
                      }
                    } catch (Exception e) {
                      LoggerFactory.getLogger(UntilShutdown.class)
                          .warn("closing {} failed: {}", service, e.toString());
                    }
                  }
                  stopped.countDown();
                },
                "shutdown"));
    stopped.await();
    return 0;
  }
}
