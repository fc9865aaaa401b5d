package dev.routemetrics.query.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.query.AudienceQueries;
import dev.routemetrics.query.Finance;
import dev.routemetrics.query.MetricsReader;
import dev.routemetrics.query.QueryConfig;
import dev.routemetrics.query.ReachControl;
import dev.routemetrics.query.Reconciliation;
import dev.routemetrics.query.TimeRange;
import dev.routemetrics.query.WhatIf;
import dev.routemetrics.query.alerts.Alert;
import dev.routemetrics.query.alerts.AlertEvaluator;
import dev.routemetrics.query.alerts.AlertJson;
import dev.routemetrics.schemas.access.ApiKeys;
import dev.routemetrics.schemas.access.Principal;
import dev.routemetrics.schemas.registry.Channel;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.registry.RegistrySnapshot;
import dev.routemetrics.schemas.registry.Routes;
import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audiences' queries over HTTP: {@code GET /api/{view}} with {@code window}, {@code from},
 * {@code until}, {@code channel} (repeatable) and, for finance, {@code period}; JSON by default,
 * CSV with {@code format=csv} or {@code Accept: text/csv}. Parameters are validated here and bound
 * as SQL parameters below; a bad one gets 400 naming it.
 *
 * <p>Every {@code /api/} request needs an API key ({@code Authorization: Bearer <key>} or {@code
 * X-Api-Key}), from the ingest's key file format ({@link ApiKeys}, re-read when it changes):
 *
 * <ul>
 *   <li>401 without a valid key, before any parameter is looked at, naming no channel;
 *   <li>a lab key (no partner: operators, finance, data teams) reads every view and channel;
 *   <li>a partner's key reads health, learning, finance and reconciliation over its partner's rows
 *       only (see {@link AudienceQueries.View}); reach-control and alerts get 403;
 *   <li>a partner naming a channel that is not its partner's gets 403 with the same words whether
 *       the channel belongs to another partner or does not exist.
 * </ul>
 *
 * The dashboard page and its assets ({@code /}, {@code /webjars/}) and {@code /health} carry no
 * data and need no key; the page sends the key its user typed with each of its data calls.
 */
public final class QueryServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(QueryServer.class);
  static final ObjectMapper JSON = Json.MAPPER;

  /** The request attribute {@link #authenticate} leaves for the handlers. */
  private static final String PRINCIPAL = "routemetrics.principal";

  /** What a 503 tells a client to wait before trying again. */
  static final int RETRY_AFTER_SECONDS = 5;

  /** ClickHouse's code (and the 0.2.x driver's) for a connection that failed. */
  private static final int CLICKHOUSE_NETWORK_ERROR = 210;

  private final AudienceQueries queries;
  private final ApiKeys apiKeys;
  private final Path apiKeysFile;

  /** Each partner's channels in any registry version, sorted: what its key may name and read. */
  private final Map<String, List<String>> partnerChannels;

  private final AlertEvaluator alerts;
  private final Clock clock;
  private final Javalin app;
  private final String host;
  private final int port;

  public QueryServer(QueryConfig config, String host, int port, Clock clock) {
    this(config, host, port, clock, null);
  }

  /**
   * With {@code alerts} (may be null: then {@code /api/alerts} answers 404), whose state {@code GET
   * /api/alerts} shows; the caller starts it, {@link #close()} stops it.
   */
  public QueryServer(
      QueryConfig config, String host, int port, Clock clock, AlertEvaluator alerts) {
    this.clock = clock;
    this.alerts = alerts;
    this.host = host;
    this.port = port;
    this.queries =
        new AudienceQueries(
            new MetricsReader(new ClickHouse(config), config.database()),
            new Reconciliation(new ClickHouse(config), config.database()),
            clock);
    this.apiKeysFile = Path.of(config.getString(QueryConfig.API_KEYS_FILE));
    this.apiKeys = new ApiKeys(apiKeysFile);
    this.partnerChannels =
        partnerChannels(ChannelRegistry.load(config.getString(QueryConfig.REGISTRY)));
    this.app =
        Javalin.create(
                javalin -> {
                  javalin.showJavalinBanner = false;
                  javalin.staticFiles
                      .enableWebjars(); // chart.js from the jar at /webjars/chart.js/<version>/
                  javalin.staticFiles.add(
                      staticFiles -> {
                        staticFiles.hostedPath = "/";
                        staticFiles.directory = "/dashboard";
                        staticFiles.location = io.javalin.http.staticfiles.Location.CLASSPATH;
                      });
                })
            .get("/health", ctx -> ctx.json(Map.of("status", "UP")))
            .get("/definitions.json", ctx -> ctx.json(DEFINITIONS))
            .before("/api/*", this::authenticate)
            .get("/api/alerts", this::alerts)
            .get("/api/{view}", this::view)
            .exception(
                Unauthenticated.class,
                (e, ctx) -> {
                  ctx.header("WWW-Authenticate", "Bearer");
                  problem(ctx, 401, "Unauthenticated", e.getMessage());
                })
            .exception(Forbidden.class, (e, ctx) -> problem(ctx, 403, e.title, e.getMessage()))
            .exception(
                BadParameter.class,
                (e, ctx) -> problem(ctx, 400, "Invalid parameter", e.getMessage()))
            .exception(java.sql.SQLException.class, this::serverError)
            .exception(Exception.class, this::serverError);
  }

  /**
   * A failure of the server, not of the request: the answer is generic (no host, port, SQL or
   * exception text of ClickHouse or the driver reach a client) and carries an id; the log line with
   * the details carries the same id. 503 with Retry-After when ClickHouse does not answer at all
   * (the request may be repeated), 500 for anything else.
   */
  private void serverError(Exception e, Context ctx) {
    if (e instanceof io.javalin.http.HttpResponseException http) {
      problem(ctx, http.getStatus(), "HTTP " + http.getStatus(), http.getMessage(), null);
      return;
    }
    String id = UUID.randomUUID().toString();
    if (unreachable(e)) {
      log.warn(
          "problem {}: the warehouse is not answering ({} {}): {}",
          id,
          ctx.method(),
          ctx.path(),
          e.toString());
      ctx.header("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
      problem(
          ctx,
          503,
          "Warehouse unavailable",
          "the warehouse is not answering; retry later, or report problem " + id,
          id);
    } else {
      log.error(
          "problem {}: {} {}?{} failed: {}",
          id,
          ctx.method(),
          ctx.path(),
          ctx.queryString(),
          e.toString(),
          e);
      problem(
          ctx,
          500,
          "Server error",
          "the server could not answer this request; report problem " + id,
          id);
    }
  }

  /**
   * Whether the failure is ClickHouse not answering (connection refused or timed out), as opposed
   * to refusing a query.
   */
  static boolean unreachable(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof java.net.ConnectException
          || cause instanceof java.net.SocketTimeoutException
          || cause instanceof java.net.UnknownHostException
          || (cause instanceof java.sql.SQLException sql
              && sql.getErrorCode() == CLICKHOUSE_NETWORK_ERROR)) {
        return true;
      }
    }
    return false;
  }

  public QueryServer start() {
    app.start(host, port);
    log.info(
        "query service on http://{}:{} (dashboard at /, API at"
            + " /api/{health,reach-control,learning,finance,trend,reconciliation,alerts} with an"
            + " API key from {})",
        host,
        app.port(),
        apiKeysFile.toAbsolutePath());
    return this;
  }

  public int port() {
    return app.port();
  }

  /**
   * Before any {@code /api/} handler, so a request without a valid key learns nothing, not even
   * which parameters or channels would have been refused.
   */
  private void authenticate(Context ctx) {
    Principal principal =
        apiKeys
            .authenticate(ApiKeys.presented(ctx.header("Authorization"), ctx.header("X-Api-Key")))
            .orElseThrow(
                () ->
                    new Unauthenticated(
                        "a valid API key is required: Authorization: Bearer <key> (or X-Api-Key:"
                            + " <key>)"));
    ctx.attribute(PRINCIPAL, principal);
  }

  /**
   * The domain's words the dashboard draws with, from their one home in the code: the control-score
   * bound of volume without control, the direct routes, the window sizes. Definitions, not data: no
   * key needed. They do not change while the server runs: built once.
   */
  private static final Map<String, Object> DEFINITIONS = definitions();

  private static Map<String, Object> definitions() {
    Map<String, Object> words = new LinkedHashMap<>();
    words.put("low_control_score", ReachControl.LOW_CONTROL);
    words.put("direct_routes", List.copyOf(Routes.DIRECT_NAMES));
    words.put("window_sizes", Arrays.stream(WindowSize.values()).map(Enum::name).toList());
    return words;
  }

  private void view(Context ctx) throws Exception {
    Principal principal = ctx.attribute(PRINCIPAL);
    AudienceQueries.View view = parseView(ctx.pathParam("view"));
    if (!principal.isLab() && !view.partnerReadable()) {
      throw Forbidden.view(
          ctx.pathParam("view"),
          "it compares partners with each other and with the lab's own routes");
    }
    TimeRange range = range(ctx, view, principal);
    Finance.Period period = enumParam(ctx, "period", Finance.Period.class, Finance.Period.DAY);
    List<Map<String, Object>> rows;
    try {
      rows = queries.run(view, range, period, options(ctx, view, range));
    } catch (IllegalArgumentException e) {
      if (view != AudienceQueries.View.WHAT_IF) {
        throw e;
      }
      throw new BadParameter(e.getMessage()); // the what-if's own checks name the parameter
    }
    boolean csv =
        "csv".equalsIgnoreCase(ctx.queryParam("format"))
            || (ctx.header("Accept") != null && ctx.header("Accept").contains("text/csv"));
    if (csv) {
      ctx.contentType("text/csv; charset=utf-8").result(Csv.write(rows));
    } else {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("view", ctx.pathParam("view"));
      body.put("window", range.windowSize());
      body.put("from", range.from());
      body.put("until", range.until());
      body.put("channels", range.channels());
      body.put("rows", rows);
      ctx.contentType("application/json").result(JSON.writeValueAsString(body));
    }
  }

  /**
   * The what-if's {@code channel} (exactly one), {@code to} and {@code shift}; the control map's
   * {@code at} (default now).
   */
  private AudienceQueries.Options options(Context ctx, AudienceQueries.View view, TimeRange range) {
    if (view == AudienceQueries.View.CONTROL_MAP) {
      Instant at = instantParam(ctx, "at", clock.instant());
      String problem = TimeRange.unstorable("at", at);
      if (problem != null) {
        throw new BadParameter(problem);
      }
      return new AudienceQueries.Options(null, at);
    }
    if (view != AudienceQueries.View.WHAT_IF) {
      return AudienceQueries.Options.NONE;
    }
    if (range.channels().size() != 1) {
      throw new BadParameter(
          "channel: the what-if shifts exactly one channel's requests, got "
              + range.channels().size());
    }
    String to = ctx.queryParam("to");
    if (to == null || !to.matches("[A-Za-z0-9._-]{1,128}")) {
      throw new BadParameter(
          "to: the direct channel to shift requests to is required (a channel id), was '"
              + to
              + "'");
    }
    return new AudienceQueries.Options(
        new WhatIf.Shift(range.channels().get(0), to, fraction(ctx.queryParam("shift"))), null);
  }

  private static java.math.BigDecimal fraction(String text) {
    try {
      java.math.BigDecimal value = new java.math.BigDecimal(text == null ? "" : text.strip());
      if (value.signum() < 0 || value.compareTo(java.math.BigDecimal.ONE) > 0) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new BadParameter(
          "shift: must be a fraction between 0 and 1 such as 0.2, was '" + text + "'");
    }
  }

  /**
   * Firing alerts first, then the recent transitions (newest first), as the dashboard lists them.
   */
  private void alerts(Context ctx) {
    Principal principal = ctx.attribute(PRINCIPAL);
    if (!principal.isLab()) {
      throw Forbidden.view(
          "alerts",
          "alerts are the lab's operations' signals, among them its judgement of partners");
    }
    if (alerts == null) {
      problem(
          ctx,
          404,
          "Alerts not evaluated",
          "this query service runs without alerts (routemetrics.alerts.enabled=false)");
      return;
    }
    AlertEvaluator.Snapshot snapshot = alerts.snapshot();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("evaluated_at", snapshot.evaluatedAt());
    body.put("failing_rules", snapshot.failingRules());
    List<Alert> listed = new java.util.ArrayList<>(snapshot.active());
    snapshot.recent().stream().filter(a -> a.state() == Alert.State.RESOLVED).forEach(listed::add);
    body.put("alerts", listed);
    body.put("recent_transitions", snapshot.recent());
    ctx.contentType("application/json").result(AlertJson.write(body));
  }

  private TimeRange range(Context ctx, AudienceQueries.View view, Principal principal) {
    WindowSize defaultWindow =
        switch (view) {
          case HEALTH -> WindowSize.MINUTE;
          case FINANCE -> WindowSize.DAY;
          default -> WindowSize.HOUR;
        };
    WindowSize window = enumParam(ctx, "window", WindowSize.class, defaultWindow);
    Instant now = clock.instant();
    Duration lookBack =
        switch (window) {
          case MINUTE -> Duration.ofMinutes(15);
          case HOUR -> Duration.ofHours(24);
          case DAY -> Duration.ofDays(31);
        };
    Instant until = instantParam(ctx, "until", now.plus(Duration.ofMinutes(1)));
    Instant givenFrom = instantParam(ctx, "from", null);
    // Refused here rather than sent: ClickHouse would refuse a five-digit year with its internals
    // in the message, and 18.16 turns an instant after 2105 into 0, silently selecting nothing.
    for (String problem :
        new String[] {
          givenFrom == null ? null : TimeRange.unstorable("from", givenFrom),
          TimeRange.unstorable("until", until)
        }) {
      if (problem != null) {
        throw new BadParameter(problem);
      }
    }
    // The look-back by default, never before the first storable instant.
    Instant from =
        givenFrom != null
            ? givenFrom
            : until.minus(lookBack).isBefore(TimeRange.EARLIEST)
                ? TimeRange.EARLIEST
                : until.minus(lookBack);
    if (!from.isBefore(until)) {
      throw new BadParameter(
          "from: must be before until (" + from + " is not before " + until + ")");
    }
    List<String> channels =
        ctx.queryParams("channel").stream()
            .flatMap(c -> Arrays.stream(c.split(",")))
            .map(String::strip)
            .filter(c -> !c.isEmpty())
            .toList();
    for (String channel : channels) {
      if (!channel.matches("[A-Za-z0-9._-]{1,128}")) {
        throw new BadParameter(
            "channel: '" + channel + "' is not a channel id (letters, digits, '.', '_', '-')");
      }
    }
    if (principal.isLab()) {
      return new TimeRange(window, from, until, channels);
    }
    List<String> own = partnerChannels.getOrDefault(principal.partnerId(), List.of());
    for (String channel : channels) {
      if (!own.contains(channel)) {
        // The same words for another partner's channel and for one that does not exist.
        throw new Forbidden(
            "Forbidden channel",
            "this key may not read channel '"
                + channel
                + "'; a partner's key reads only its partner's channels");
      }
    }
    return new TimeRange(
        window, from, until, channels.isEmpty() ? own : channels, principal.partnerId());
  }

  /**
   * Partner id to the channels any registry version gives it: a channel that moved keeps its old
   * rows readable by the row's partner only.
   */
  static Map<String, List<String>> partnerChannels(ChannelRegistry registry) {
    Map<String, Set<String>> byPartner = new TreeMap<>();
    for (RegistrySnapshot version : registry.versions()) {
      for (Channel channel : version.channels()) {
        if (channel.partnerId() != null) {
          byPartner.computeIfAbsent(channel.partnerId(), p -> new TreeSet<>()).add(channel.id());
        }
      }
    }
    Map<String, List<String>> sorted = new TreeMap<>();
    byPartner.forEach((partner, channels) -> sorted.put(partner, List.copyOf(channels)));
    return Map.copyOf(sorted);
  }

  private static AudienceQueries.View parseView(String name) {
    try {
      return AudienceQueries.View.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new BadParameter(
          "view: unknown view '"
              + name
              + "'; one of "
              + Arrays.stream(AudienceQueries.View.values())
                  .map(v -> v.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                  .collect(Collectors.joining(", ")));
    }
  }

  private static Instant instantParam(Context ctx, String name, Instant fallback) {
    String value = ctx.queryParam(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new BadParameter(
          name
              + ": must be an ISO-8601 UTC instant such as 2026-11-01T00:00:00Z, was '"
              + value
              + "'");
    }
  }

  private static <E extends Enum<E>> E enumParam(
      Context ctx, String name, Class<E> type, E fallback) {
    String value = ctx.queryParam(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadParameter(
          name
              + ": must be one of "
              + Arrays.toString(type.getEnumConstants())
              + ", was '"
              + value
              + "'");
    }
  }

  private static void problem(Context ctx, int status, String title, String detail) {
    problem(ctx, status, title, detail, null);
  }

  /** RFC 9457 problem+json; {@code id} (may be null) is the one the server's log line carries. */
  private static void problem(Context ctx, int status, String title, String detail, String id) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(
        "type", "urn:routemetrics:problem:" + title.toLowerCase(Locale.ROOT).replace(' ', '-'));
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    if (id != null) {
      body.put("id", id);
    }
    try {
      ctx.status(status)
          .contentType("application/problem+json")
          .result(JSON.writeValueAsString(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** No key, or a key that is unknown, rotated away or revoked. */
  static final class Unauthenticated extends RuntimeException {
    Unauthenticated(String message) {
      super(message);
    }
  }

  /** A valid key asking for what its scope does not include. */
  static final class Forbidden extends RuntimeException {
    final String title;

    Forbidden(String title, String message) {
      super(message);
      this.title = title;
    }

    static Forbidden view(String view, String why) {
      return new Forbidden(
          "Forbidden view",
          "a partner's key may not read "
              + view
              + ": "
              + why
              + ". It reads health, learning, finance and reconciliation of its own channels.");
    }
  }

  /** A query parameter that cannot be used, with the reason. */
  static final class BadParameter extends RuntimeException {
    BadParameter(String message) {
      super(message);
    }
  }

  @Override
  public void close() {
    app.stop();
    if (alerts != null) {
      try {
        alerts.close();
      } catch (Exception e) {
        log.warn("stopping the alert evaluator: {}", e.toString());
      }
    }
  }
}
