package dev.routemetrics.query.review;

import dev.routemetrics.query.ControlPointMap;
import java.time.YearMonth;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The seed's question for one route, answered from its numbers: who owns the path from capability
 * to use? The owner is whoever holds the most of the six control points per request (registry at
 * the month's end); the sentence gives the reach, the points, identity visibility, billing
 * ownership, the trainable rate against the direct routes', and the control score behind it.
 */
final class PathSentence {

  private PathSentence() {}

  static String of(Review.RouteSection s, Double directTrainableRate, YearMonth month) {
    String monthName =
        month.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH) + " " + month.getYear();
    String route = Format.route(s.route());
    Review.Figures f = s.figures();
    if (f.requests() == 0) {
      return route + " carried no requests in " + monthName + ": there was no path to own.";
    }
    String channels =
        s.channels().stream().map(Review.Figures::id).collect(Collectors.joining(", "));
    StringBuilder out = new StringBuilder();
    out.append(route)
        .append(" carried ")
        .append(Format.percent(f.requestShare()))
        .append(" of ")
        .append(monthName)
        .append("'s requests (")
        .append(Format.count(f.requests()))
        .append(") through ")
        .append(channels)
        .append(". ");
    Review.Ownership o = s.ownership();
    boolean known = !o.channels().isEmpty();
    if (known) {
      out.append(
          String.format(
              Locale.ROOT,
              "Of the six control points the lab holds %.1f, partners %.1f and customers %.1f"
                  + " per request; ",
              o.lab(),
              o.partner(),
              o.customer()));
    }
    out.append(known ? "the lab " : "The lab ")
        .append("saw the end user on ")
        .append(Format.percent(f.identityVisibility()))
        .append(" of requests, billed ")
        .append(
            f.billingOwnership() == null
                ? "none (no revenue)"
                : Format.percent(f.billingOwnership()))
        .append(" of the net revenue, and had trainable feedback on ")
        .append(Format.finePercent(f.trainableRate()))
        .append(" of requests");
    if (!s.direct()) {
      out.append(" against ")
          .append(Format.finePercent(directTrainableRate))
          .append(" on the direct routes");
    }
    out.append(". ");
    if (!known) {
      return out.append(
              "The registry names no owners for these channels, so who owns the path cannot be said"
                  + " (control score ")
          .append(Format.score(f.controlScore()))
          .append(").")
          .toString();
    }
    String owner = o.owner();
    List<String> partners =
        o.channels().stream()
            .map(ControlPointMap.Row::partnerId)
            .filter(Objects::nonNull)
            .distinct()
            .toList();
    String who =
        switch (owner == null ? "SHARED" : owner) {
          case "LAB" -> "The lab owns";
          case "PARTNER" ->
              partners.size() == 1
                  ? "The partner, " + partners.get(0) + ", owns"
                  : "Its partners (" + String.join(", ", partners) + ") own";
          case "CUSTOMER" ->
              partners.size() == 1
                  ? "The customer, " + partners.get(0) + ", owns"
                  : "The customers own";
          default -> "No one holds most of it: " + shared(o) + " share";
        };
    return out.append(who)
        .append(" the path from capability to use (control score ")
        .append(Format.score(f.controlScore()))
        .append(").")
        .toString();
  }

  private static String shared(Review.Ownership o) {
    double most = Math.max(o.lab(), Math.max(o.partner(), o.customer()));
    StringBuilder names = new StringBuilder();
    for (String[] holder :
        new String[][] {
          {"the lab", String.valueOf(o.lab())},
          {"partners", String.valueOf(o.partner())},
          {"customers", String.valueOf(o.customer())}
        }) {
      if (Math.abs(Double.parseDouble(holder[1]) - most) < 1e-9) {
        names.append(names.length() == 0 ? "" : " and ").append(holder[0]);
      }
    }
    return names.toString();
  }
}
