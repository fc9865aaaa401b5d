package dev.routemetrics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The repository is self-contained: its definitions are docs/domain.md and its infrastructure facts
 * docs/clickhouse-18.16.md, so no file may point at documents outside it (the specification, infra
 * notes and style guide that lived in a {@code shared} directory beside the repository). No server
 * is needed: the test reads the working tree.
 */
class SelfContainedDocsTest {

  private static final Path REPO = Path.of("..");

  /**
   * What a pointer outside the repository looks like. Spelled in pieces so that this file does not
   * match itself. The file names are matched case-sensitively: docs/domain.md is the in-repo one.
   */
  static final List<String> OUTSIDE =
      List.of("shared" + "/", "DOMAIN" + ".md", "INFRA" + ".md", "STYLE" + ".md");

  /**
   * Notes about the project's history may name where things used to be: docs/history.md or
   * docs/history/.
   */
  static boolean isHistoryNote(Path relative) {
    String path = relative.toString().replace('\\', '/');
    return path.equals("docs/history.md") || path.startsWith("docs/history/");
  }

  /** Generated, installed or local state: not the project's text. */
  private static final Set<String> SKIPPED_DIRS =
      Set.of(".git", ".state", "target", "node_modules");

  private static final Set<String> BINARY =
      Set.of("png", "jpg", "jpeg", "gif", "ico", "jar", "gz", "zip", "class");

  @Test
  @DisplayName(
      "no file of the repository points at a document outside it (the shared directory, its domain,"
          + " infra and style pages)")
  void noPointerOutsideTheRepository() {
    assertThat(REPO.resolve("pom.xml"))
        .as("the test runs in a module of the repository")
        .isRegularFile();
    List<String> found = new ArrayList<>();
    for (Path file : textFiles()) {
      Path relative = REPO.relativize(file);
      if (isHistoryNote(relative)) {
        continue;
      }
      List<String> lines = lines(file);
      for (int i = 0; i < lines.size(); i++) {
        for (String needle : OUTSIDE) {
          if (lines.get(i).contains(needle)) {
            found.add(relative + ":" + (i + 1) + ": " + needle + " in: " + lines.get(i).strip());
          }
        }
      }
    }
    assertThat(found)
        .as(
            "point at the in-repo document instead (docs/domain.md for definitions and promises,"
                + " docs/clickhouse-18.16.md for ClickHouse, driver and broker facts)")
        .isEmpty();
  }

  @Test
  @DisplayName(
      "the README links docs/domain.md, and every link to a section of it names one of its"
          + " headings")
  void domainLinksResolve() throws IOException {
    Path domain = REPO.resolve("docs/domain.md");
    assertThat(domain).isRegularFile();
    assertThat(Files.readString(REPO.resolve("README.md"))).contains("(docs/domain.md)");
    Set<String> anchors = new LinkedHashSet<>();
    for (String line : Files.readAllLines(domain)) {
      if (line.startsWith("#")) {
        anchors.add(slug(line.replaceFirst("^#+\\s*", "")));
      }
    }
    Pattern link = Pattern.compile("domain\\.md#([A-Za-z0-9_-]+)");
    List<String> broken = new ArrayList<>();
    for (Path file : textFiles()) {
      List<String> lines = lines(file);
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = link.matcher(lines.get(i));
        while (m.find()) {
          if (!anchors.contains(m.group(1))) {
            broken.add(REPO.relativize(file) + ":" + (i + 1) + ": #" + m.group(1));
          }
        }
      }
    }
    // Links inside docs/domain.md itself are written (#anchor), without the file name.
    Matcher inner = Pattern.compile("\\]\\(#([A-Za-z0-9_-]+)\\)").matcher(Files.readString(domain));
    while (inner.find()) {
      if (!anchors.contains(inner.group(1))) {
        broken.add("docs/domain.md: #" + inner.group(1));
      }
    }
    assertThat(broken)
        .as("anchors that are no heading of docs/domain.md (headings: %s)", anchors)
        .isEmpty();
  }

  @Test
  @DisplayName(
      "the anchor of a heading is GitHub's: lower case, punctuation dropped, spaces as hyphens")
  void slugs() {
    assertThat(slug("Metrics, per channel and window")).isEqualTo("metrics-per-channel-and-window");
    assertThat(slug("Nulls: ratios without a denominator"))
        .isEqualTo("nulls-ratios-without-a-denominator");
    assertThat(slug("What-if")).isEqualTo("what-if");
  }

  @Test
  @DisplayName("a history note may name where things used to be; nothing else may")
  void historyNotes() {
    assertThat(isHistoryNote(Path.of("docs/history.md"))).isTrue();
    assertThat(isHistoryNote(Path.of("docs/history/2026-12.md"))).isTrue();
    assertThat(isHistoryNote(Path.of("docs/domain.md"))).isFalse();
    assertThat(isHistoryNote(Path.of("README.md"))).isFalse();
  }

  static String slug(String heading) {
    return heading
        .strip()
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9 _-]", "")
        .replace(' ', '-');
  }

  /** Every text file of the working tree, outside generated and local-state directories. */
  static List<Path> textFiles() {
    List<Path> files = new ArrayList<>();
    try {
      Files.walkFileTree(
          REPO,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              return !dir.equals(REPO) && SKIPPED_DIRS.contains(dir.getFileName().toString())
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              String name = file.getFileName().toString();
              String extension =
                  name.contains(".")
                      ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT)
                      : "";
              if (attrs.isRegularFile()
                  && !BINARY.contains(extension)
                  && attrs.size() < (4 << 20)) {
                files.add(file);
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    files.sort(null);
    return files;
  }

  /** A file's lines, or none when it is not UTF-8 text. */
  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (MalformedInputException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
