package dev.routemetrics.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * CPU, resident memory and (for JVMs) used heap of named processes, read from /proc and jstat. CPU
 * is the share of one core used since the previous sample (200 % = both cores of this machine).
 */
public final class ProcessSampler {

  /** One process at one moment; heap is -1 for a process that is not a JVM (ClickHouse) or gone. */
  public record Usage(double cpuPercent, double rssMib, double heapMib) {}

  private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

  private final Map<String, Long> pids;
  private final Map<String, long[]> previous = new LinkedHashMap<>();

  public ProcessSampler(Map<String, Long> pids) {
    this.pids = new LinkedHashMap<>(pids);
  }

  public List<String> names() {
    return List.copyOf(pids.keySet());
  }

  public Map<String, Usage> sample() {
    Map<String, Usage> usage = new LinkedHashMap<>();
    long now = System.nanoTime();
    pids.forEach(
        (name, pid) -> {
          long ticks = cpuTicks(pid);
          long[] before = previous.put(name, new long[] {now, ticks});
          double cpu =
              before == null || ticks < 0
                  ? 0
                  : 100.0
                      * (ticks - before[1])
                      / CLOCK_TICKS_PER_SECOND
                      / ((now - before[0]) / 1e9);
          usage.put(name, new Usage(cpu, rssMib(pid), heapMib(pid)));
        });
    return usage;
  }

  /**
   * utime + stime, fields 14 and 15 of /proc/PID/stat (counted after the command name's closing
   * parenthesis).
   */
  private static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static double rssMib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return -1;
  }

  /**
   * Survivor, eden and old generation in use, from {@code jstat -gc} (KiB); -1 when it is not a
   * JVM.
   */
  private static double heapMib(long pid) {
    try {
      Process jstat =
          new ProcessBuilder("jstat", "-gc", Long.toString(pid)).redirectErrorStream(true).start();
      List<String> lines =
          new String(jstat.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
              .lines()
              .toList();
      if (!jstat.waitFor(5, TimeUnit.SECONDS) || jstat.exitValue() != 0 || lines.size() < 2) {
        return -1;
      }
      List<String> header = List.of(lines.get(0).trim().split("\\s+"));
      String[] values = lines.get(1).trim().split("\\s+");
      double kib = 0;
      for (String column : List.of("S0U", "S1U", "EU", "OU")) {
        kib += Double.parseDouble(values[header.indexOf(column)]);
      }
      return kib / 1024.0;
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
