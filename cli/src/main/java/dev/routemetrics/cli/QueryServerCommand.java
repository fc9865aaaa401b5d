package dev.routemetrics.cli;

import dev.routemetrics.warehouse.WarehouseConfig;
import dev.routemetrics.warehouse.http.QueryServer;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "query-server", mixinStandardHelpOptions = true,
    description = "Serve the dashboard at / and the audiences' views at /api/{health,reach-control,learning,finance}, read from ClickHouse.")
final class QueryServerCommand implements Callable<Integer> {

  @Mixin Settings settings;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8090", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
  int port;

  @Override
  public Integer call() throws Exception {
    QueryServer server = new QueryServer(new WarehouseConfig(settings.overrides), host, port, Clock.systemUTC()).start();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stop.countDown();
    }));
    stop.await();
    return 0;
  }
}
