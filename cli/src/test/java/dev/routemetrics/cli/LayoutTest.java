package dev.routemetrics.cli;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Arrays;

/**
 * The layout, as rules the build checks: the path of an event is one-way (README, "How data
 * flows"), and each module sees only what comes before it on that path. cli is the one module that
 * sees all the others, so the rules run here, over the main classes of every module.
 *
 * <p>A new module or a moved package gets its place in {@link #everyClassHasItsPlaceInTheFlow}
 * first; a stage that needs another stage's class takes it from the contract instead.
 */
@AnalyzeClasses(packages = "dev.routemetrics", importOptions = ImportOption.DoNotIncludeTests.class)
class LayoutTest {

  /**
   * The contract: the Avro records (events, metrics), their wire format, the channel registry,
   * topic names.
   */
  static final String[] CONTRACT = {
    "dev.routemetrics.schemas..", "dev.routemetrics.events..", "dev.routemetrics.metrics.."
  };

  static final String INGEST = "dev.routemetrics.ingest..";
  static final String STREAMS = "dev.routemetrics.streams..";

  /** The ClickHouse tables (migrations), the connection to them, and the sink that fills them. */
  static final String SINK = "dev.routemetrics.sink..";

  /** What the queries may take from the sink's module: the connection and its settings. */
  static final String SINK_CLICKHOUSE = "dev.routemetrics.sink.clickhouse..";

  /**
   * Everything that reads ClickHouse back: the views, the query server, dashboard and review, the
   * alerts, the pipeline's status.
   */
  static final String QUERY = "dev.routemetrics.query..";

  static final String SIMULATOR = "dev.routemetrics.simulator..";

  /** What operators run around the pipeline: the rebuild, the benchmarks' probes. */
  static final String TOOLS = "dev.routemetrics.tools..";

  static final String CLI = "dev.routemetrics.cli..";

  @ArchTest
  static final ArchRule everyClassHasItsPlaceInTheFlow =
      classes()
          .that()
          .resideInAPackage("dev.routemetrics..")
          .should()
          .resideInAnyPackage(concat(CONTRACT, INGEST, STREAMS, SINK, QUERY, SIMULATOR, TOOLS, CLI))
          .because(
              "the rules below only hold a package they know: a new module is placed in the data"
                  + " flow here");

  @ArchTest
  static final ArchRule theStagesFollowTheDataFlow =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .layer("contract")
          .definedBy(CONTRACT)
          .layer("ingest")
          .definedBy(INGEST)
          .layer("streams")
          .definedBy(STREAMS)
          .layer("sink")
          .definedBy(SINK)
          .layer("query")
          .definedBy(QUERY)
          .layer("simulator")
          .definedBy(SIMULATOR)
          .layer("tools")
          .definedBy(TOOLS)
          .layer("cli")
          .definedBy(CLI)
          .whereLayer("contract")
          .mayNotAccessAnyLayer()
          .whereLayer("ingest")
          .mayOnlyAccessLayers("contract")
          .whereLayer("streams")
          .mayOnlyAccessLayers("contract")
          .whereLayer("simulator")
          .mayOnlyAccessLayers("contract")
          .whereLayer("sink")
          .mayOnlyAccessLayers("contract")
          .whereLayer("query")
          .mayOnlyAccessLayers("contract", "sink")
          .whereLayer("tools")
          .mayOnlyAccessLayers("contract", "ingest", "streams", "sink", "query", "simulator")
          .whereLayer("cli")
          .mayOnlyAccessLayers(
              "contract", "ingest", "streams", "sink", "query", "simulator", "tools")
          .because(
              "stages talk through Kafka topics in the contract's format, never through each"
                  + " other's classes: each one can be built, run, tested and replaced alone, and"
                  + " only the tools and cli's mains wire them together");

  @ArchTest
  static final ArchRule theContractDependsOnNoStage =
      noClasses()
          .that()
          .resideInAnyPackage(CONTRACT)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(INGEST, STREAMS, SINK, QUERY, SIMULATOR, TOOLS, CLI)
          .because(
              "every stage reads the contract; a stage's class in it would tie every stage to that"
                  + " one");

  @ArchTest
  static final ArchRule theWarehouseReadsTopicsNotTheStagesThatWriteThem =
      noClasses()
          .that()
          .resideInAnyPackage(SINK, QUERY)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(INGEST, STREAMS)
          .because(
              "the sink and the queries know the metric and event topics and the ClickHouse tables,"
                  + " not the code that fills them: a rebuild of streams or a new ingest never"
                  + " changes what the warehouse reads");

  @ArchTest
  static final ArchRule theQueriesTakeOnlyTheConnectionFromTheSink =
      noClasses()
          .that()
          .resideInAPackage(QUERY)
          .should()
          .dependOnClassesThat(
              resideInAPackage(SINK)
                  .and(not(resideInAPackage(SINK_CLICKHOUSE)))
                  .as("belong to the sink's worker or migrations"))
          .because(
              "the queries read the tables the sink writes, through the same connection and"
                  + " settings; the sink's worker, writers and migrations are its own, so the query"
                  + " service runs (and scales) without them");

  @ArchTest
  static final ArchRule theSinkNeverReadsBack =
      noClasses()
          .that()
          .resideInAPackage(SINK)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(QUERY)
          .because(
              "data flows one way: the sink writes what the queries read, and needs nothing of"
                  + " theirs");

  @ArchTest
  static final ArchRule theMainsAreThin =
      noClasses()
          .that()
          .resideInAPackage(CLI)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("java.sql..", "org.apache.kafka.clients..")
          .because(
              "a main parses its options and hands over: talking to Kafka or ClickHouse is a"
                  + " stage's or a tool's job, where a test can reach it without a command line");

  /**
   * The one internal the exactly-once argument rests on, pinned and re-verified by
   * KafkaStreamsInternalsTest.
   */
  static final String[] PINNED_STREAMS_HOOKS = {
    "org.apache.kafka.streams.state.internals.CachedStateStore",
    "org.apache.kafka.streams.state.internals.CacheFlushListener",
  };

  static final String PINNED_HOOKS_PATTERN =
      String.join("|", PINNED_STREAMS_HOOKS).replace(".", "\\.");

  @ArchTest
  static final ArchRule noStageReachesIntoKafkaStreamsInternals =
      noClasses()
          .that()
          .resideInAPackage("dev.routemetrics..")
          .should()
          .dependOnClassesThat(
              resideInAPackage("org.apache.kafka.streams..internals..")
                  .and(not(nameMatching(PINNED_HOOKS_PATTERN)))
                  .as(
                      "are Kafka Streams internals other than the pinned "
                          + String.join(", ", PINNED_STREAMS_HOOKS)))
          .because(
              "internals change in any Kafka release without notice; the public API (kstream,"
                  + " processor, state) is what an upgrade keeps");

  @ArchTest
  static final ArchRule onlyTheLiveObjectStoreUsesThePinnedHooks =
      noClasses()
          .that()
          .resideInAPackage("dev.routemetrics..")
          .and()
          .doNotHaveFullyQualifiedName("dev.routemetrics.streams.LiveObjectStore")
          .should()
          .dependOnClassesThat()
          .haveNameMatching(PINNED_HOOKS_PATTERN)
          .because(
              "KafkaStreamsInternalsTest re-verifies, for each Kafka version, the one use it knows"
                  + " of");

  @ArchTest
  static final ArchRule noCyclesBetweenPackages =
      slices()
          .matching("dev.routemetrics.(**)")
          .should()
          .beFreeOfCycles()
          .because(
              "a package reads as one step only if it needs nothing from the steps that need it");

  private static String[] concat(String[] first, String... rest) {
    String[] all = Arrays.copyOf(first, first.length + rest.length);
    System.arraycopy(rest, 0, all, first.length, rest.length);
    return all;
  }
}
