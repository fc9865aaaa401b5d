package dev.routemetrics.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.routemetrics.query.QueryConfig;
import dev.routemetrics.query.status.PipelineStatus;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import java.net.URI;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Say whether the pipeline is caught up: each stage's state and lag (ingest in flight, streams"
          + " and sink lag per topic, records the streams app dropped), and ClickHouse's newest"
          + " event per family.",
      "drained is true only when every lag is 0 and nothing is in flight; the exit code is 0 when"
          + " drained, 1 when not."
    })
final class StatusCommand implements Callable<Integer> {

  enum Format {
    TABLE,
    JSON
  }

  @Mixin Settings settings;

  @Option(
      names = "--ingest",
      defaultValue = "http://127.0.0.1:${env:ROUTEMETRICS_INGEST_PORT:-8080}",
      description = "Address of the ingest (default: ${DEFAULT-VALUE}).")
  URI ingest;

  @Option(
      names = "--streams",
      defaultValue = "http://127.0.0.1:${env:ROUTEMETRICS_STREAMS_PORT:-8092}",
      description = "Address of the streams app's /health (default: ${DEFAULT-VALUE}).")
  URI streams;

  @Option(
      names = "--sink",
      defaultValue = "http://127.0.0.1:${env:ROUTEMETRICS_SINK_PORT:-8091}",
      description = "Address of the sink's /health (default: ${DEFAULT-VALUE}).")
  URI sink;

  @Option(
      names = "--format",
      defaultValue = "table",
      converter = FormatName.class,
      description = "table or json, in any case (default: ${DEFAULT-VALUE}).")
  Format format;

  /** {@code --format json} as well as {@code JSON}: the README writes it in lower case. */
  static final class FormatName implements ITypeConverter<Format> {
    @Override
    public Format convert(String value) {
      try {
        return Format.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("expected table or json but was '" + value + "'");
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    QueryConfig config = new QueryConfig(settings.overrides);
    PipelineStatus.Report report =
        new PipelineStatus(
                ingest, streams, sink, new ClickHouse(config), config.database(), Clock.systemUTC())
            .check();
    if (format == Format.JSON) {
      System.out.println(
          new ObjectMapper()
              .registerModule(new JavaTimeModule())
              .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
              .writerWithDefaultPrettyPrinter()
              .writeValueAsString(report));
    } else {
      Table.print(report.rows());
      System.out.println(
          "drained: "
              + report.drained()
              + (report.drained() ? "" : " (" + String.join("; ", report.notDrained()) + ")"));
    }
    return report.drained() ? 0 : 1;
  }
}
