package dev.routemetrics.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Every {@code bin/routemetrics ...} command line in README.md and the modules' READMEs parses with
 * the command line main runs (options, enum values, subcommands), so an example that stops working
 * fails the build. No server is needed: the commands are parsed, not run.
 */
class ReadmeExamplesTest {

  private static final Path REPO = Path.of("..");

  /**
   * A command in a code block line or an inline code span: up to a comment, a span's end, a ')' or
   * a pipe.
   */
  private static final Pattern COMMAND = Pattern.compile("bin/routemetrics((?: [^`#)|\\n]*)?)");

  record Example(Path readme, int line, String text, List<String> args) {}

  static List<Example> examples() {
    List<Path> readmes = new ArrayList<>(List.of(REPO.resolve("README.md")));
    try (Stream<Path> modules = Files.list(REPO)) {
      modules
          .map(m -> m.resolve("README.md"))
          .filter(Files::isRegularFile)
          .sorted()
          .forEach(readmes::add);
      List<Example> examples = new ArrayList<>();
      for (Path readme : readmes) {
        List<String> lines = Files.readAllLines(readme);
        for (int i = 0; i < lines.size(); i++) {
          Matcher m = COMMAND.matcher(lines.get(i));
          while (m.find()) {
            String text = m.group(1).strip();
            examples.add(
                new Example(
                    REPO.relativize(readme), i + 1, "bin/routemetrics " + text, words(text)));
          }
        }
      }
      return examples;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Shell words: whitespace-separated, with '...' and "..." quoting. */
  static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    Matcher m = Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)").matcher(text);
    while (m.find()) {
      words.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
    }
    return words;
  }

  @TestFactory
  @DisplayName("every bin/routemetrics line in the READMEs parses with the real command line")
  Stream<DynamicTest> shouldParseEveryReadmeExample() {
    List<Example> examples = examples();
    assertThat(examples).as("README examples found").hasSizeGreaterThan(10);
    return examples.stream()
        .map(
            example ->
                DynamicTest.dynamicTest(
                    example.readme() + ":" + example.line() + " " + example.text(),
                    () ->
                        assertThatCode(() -> parse(example))
                            .as("%s line %d: %s", example.readme(), example.line(), example.text())
                            .doesNotThrowAnyException()));
  }

  /**
   * Parses the example as main would. A required option whose default is an environment variable
   * the same README exports (simulate's --api-key from ROUTEMETRICS_API_KEY) counts as given.
   */
  private static void parse(Example example) throws IOException {
    try {
      RouteMetrics.commandLine().parseArgs(example.args().toArray(String[]::new));
    } catch (CommandLine.MissingParameterException e) {
      String readme = Files.readString(REPO.resolve(example.readme()));
      for (CommandLine.Model.ArgSpec missing : e.getMissing()) {
        Matcher env =
            Pattern.compile("\\$\\{env:([A-Z_]+)}")
                .matcher(String.valueOf(missing.defaultValueString(false)));
        if (!env.matches() || !readme.contains("export " + env.group(1) + "=")) {
          throw e;
        }
      }
    }
  }

  @Test
  @DisplayName(
      "the README's query examples, lower case included, parse into the values they ask for")
  void shouldParseTheQueryExamplesIntoTheirValues() {
    List<Example> queries =
        examples().stream()
            .filter(e -> !e.args().isEmpty() && e.args().get(0).equals("query"))
            .toList();
    assertThat(queries)
        .extracting(Example::text)
        .contains(
            "bin/routemetrics query learning --window HOUR --channel cloud-nimbus,consumer-app"
                + " --format csv",
            "bin/routemetrics query finance --period MONTH --format json");

    QueryCommand learning =
        query(
            "learning",
            "--window",
            "hour",
            "--channel",
            "cloud-nimbus,consumer-app",
            "--format",
            "csv");
    assertThat(learning.format).isEqualTo(QueryCommand.Format.CSV);
    assertThat(learning.window).isEqualTo(dev.routemetrics.schemas.windows.WindowSize.HOUR);
    assertThat(learning.channels).containsExactly("cloud-nimbus", "consumer-app");
    QueryCommand finance =
        query("finance", "--period", "month", "--format", "Json", "--window", "Day");
    assertThat(finance.format).isEqualTo(QueryCommand.Format.JSON);
    assertThat(finance.period).isEqualTo(dev.routemetrics.query.Finance.Period.MONTH);
    assertThat(finance.window).isEqualTo(dev.routemetrics.schemas.windows.WindowSize.DAY);
    assertThat(query("health", "--format", "table", "--window", "minute").window)
        .isEqualTo(dev.routemetrics.schemas.windows.WindowSize.MINUTE);
  }

  private static QueryCommand query(String... args) {
    String[] all = Stream.concat(Stream.of("query"), Stream.of(args)).toArray(String[]::new);
    ParseResult parsed = RouteMetrics.commandLine().parseArgs(all);
    return (QueryCommand) parsed.subcommand().commandSpec().userObject();
  }

  @Test
  @DisplayName(
      "every description line of routemetrics query is a whole sentence or a whole list item")
  void shouldDescribeTheQueryCommandInWholeSentences() {
    CommandSpec query = RouteMetrics.commandLine().getSubcommands().get("query").getCommandSpec();
    List<String> descriptions = new ArrayList<>(List.of(query.usageMessage().description()));
    for (OptionSpec option : query.options()) {
      descriptions.addAll(List.of(option.description()));
    }
    query.positionalParameters().forEach(p -> descriptions.addAll(List.of(p.description())));
    assertThat(descriptions)
        .isNotEmpty()
        .allSatisfy(line -> assertThat(line.strip()).matches("(?s).*[.:)]$"));
    // At picocli's 80 columns no list item wraps back to the left margin (where it reads as a cut
    // sentence).
    String help =
        RouteMetrics.commandLine()
            .getSubcommands()
            .get("query")
            .getUsageMessage(CommandLine.Help.Ansi.OFF);
    assertThat(help.lines().filter(l -> l.matches("^[a-z0-9(].*"))).as(help).isEmpty();
  }

  @Test
  @DisplayName("the line routemetrics --help shows for each command is a whole sentence")
  void shouldListEveryCommandWithAWholeSentence() {
    CommandLine main = RouteMetrics.commandLine();
    assertThat(main.getSubcommands()).hasSizeGreaterThan(10);
    main.getSubcommands()
        .forEach(
            (name, command) -> {
              String[] description = command.getCommandSpec().usageMessage().description();
              assertThat(description).as(name).isNotEmpty();
              assertThat(description[0].strip())
                  .as("the first description line of %s", name)
                  .matches("(?s).*[.:)]$");
            });
    for (String name : List.of("verify", "load-run", "streams", "status")) {
      assertThat(main.getSubcommands().get(name).getCommandSpec().usageMessage().description())
          .as(name)
          .allSatisfy(line -> assertThat(line.strip()).matches("(?s).*[.:)]$"));
    }
  }

  @Test
  @DisplayName("streams --help describes the topology that runs, not the walking skeleton")
  void shouldDescribeTheRealStreamsTopology() {
    String help =
        RouteMetrics.commandLine()
            .getSubcommands()
            .get("streams")
            .getUsageMessage(CommandLine.Help.Ansi.OFF);
    assertThat(help)
        .doesNotContain("usage events to requests per channel per minute")
        .contains("channel-metrics")
        .contains("channel-revenue")
        .contains("quarantined-events")
        .contains("/health");
  }
}
