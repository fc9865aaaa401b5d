package dev.routemetrics.query.http;

import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/** Reads the dashboard's tables as a user sees them: one row per channel, by its data-channel. */
final class DashboardTables {

  private DashboardTables() {}

  /** The cells' text of {@code channel}'s row in the table with id {@code table}. */
  static List<String> row(WebDriver browser, String table, String channel) {
    return browser
        .findElements(By.cssSelector("#" + table + " tbody tr[data-channel='" + channel + "'] td"))
        .stream()
        .map(WebElement::getText)
        .toList();
  }

  /** The class of {@code channel}'s row ("flagged" when the dashboard marks it). */
  static String rowClass(WebDriver browser, String table, String channel) {
    return browser
        .findElement(By.cssSelector("#" + table + " tbody tr[data-channel='" + channel + "']"))
        .getAttribute("class");
  }

  /** The channels of the table's rows, in the order shown. */
  static List<String> channels(WebDriver browser, String table) {
    return browser.findElements(By.cssSelector("#" + table + " tbody tr")).stream()
        .map(tr -> tr.getAttribute("data-channel"))
        .toList();
  }
}
